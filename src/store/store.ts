/** PLACEHOLDER: the store helper replaces this file with the real keyspace API. */
export class Store {}
