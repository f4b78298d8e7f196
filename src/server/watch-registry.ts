/**
 * WATCH bookkeeping: which clients watch which keys, and marking them dirty when the store
 * reports a modification (Redis's touchWatchedKey / touchAllWatchedKeysInDb).
 * The store's single modification listener belongs to the server (it also counts changes for
 * rdb_changes_since_last_save); the server forwards to touchKey/touchDb while anyone watches.
 * Invariants: a client appears under (db, key) ⇔ client.watchedKeys lists (db, key); no empty
 * sets are kept. A flush of a db dirties the watchers of its keys that exist, and a swap of two
 * dbs those of keys that exist in either (Redis 7's touchAllWatchedKeysInDb): watching a key
 * that does not exist and then flushing does not fail EXEC. Both are told before the change.
 * Not here: EXEC's decision (commands/transactions.ts).
 */

import type { Store } from '../store/store.js';
import { latin1 } from './commands/args.js';
import type { Client } from './connection.js';

function registryKey(db: number, key: string): string {
  return `${db}\u0000${key}`;
}

export class WatchRegistry {
  readonly #store: Store;
  readonly #clientsByKey = new Map<string, Set<Client>>();
  /** db → number of (client, key) watches in it, to find the watchers of a flushed db. */
  readonly #clientsByDb = new Map<number, Set<Client>>();

  constructor(store: Store) {
    this.#store = store;
  }

  get watchedKeyCount(): number {
    return this.#clientsByKey.size;
  }

  /** WATCH of one key; a key already watched by the client is ignored. */
  watch(client: Client, db: number, key: Buffer): void {
    const keyText = key.toString('latin1');
    if (client.watchedKeys.some((watched) => watched.db === db && watched.key === keyText)) return;
    client.watchedKeys.push({ db, key: keyText, existedAtWatch: this.#store.exists(db, key) });
    const name = registryKey(db, keyText);
    let clients = this.#clientsByKey.get(name);
    if (clients === undefined) {
      clients = new Set();
      this.#clientsByKey.set(name, clients);
    }
    clients.add(client);
    let dbClients = this.#clientsByDb.get(db);
    if (dbClients === undefined) {
      dbClients = new Set();
      this.#clientsByDb.set(db, dbClients);
    }
    dbClients.add(client);
  }

  /** UNWATCH (also after EXEC/DISCARD and when the client goes away). Clears the dirty flag. */
  unwatchAll(client: Client): void {
    for (const watched of client.watchedKeys) {
      const name = registryKey(watched.db, watched.key);
      const clients = this.#clientsByKey.get(name);
      clients?.delete(client);
      if (clients?.size === 0) this.#clientsByKey.delete(name);
      const dbClients = this.#clientsByDb.get(watched.db);
      dbClients?.delete(client);
      if (dbClients?.size === 0) this.#clientsByDb.delete(watched.db);
    }
    client.watchedKeys.length = 0;
    client.isWatchDirty = false;
  }

  /**
   * Redis's isWatchedKeyExpired, generalised: a watched key that existed at WATCH and is gone
   * now (deleted, or expired without anyone touching it) fails EXEC.
   */
  hasVanishedKey(client: Client): boolean {
    return client.watchedKeys.some((watched) =>
      watched.existedAtWatch && !this.#store.exists(watched.db, Buffer.from(watched.key, 'latin1')));
  }

  /** A key changed: every client watching it fails its next EXEC. */
  touchKey(db: number, key: Uint8Array): void {
    const clients = this.#clientsByKey.get(registryKey(db, latin1(key)));
    if (clients === undefined) return;
    for (const client of clients) client.isWatchDirty = true;
  }

  /**
   * `db` is about to be flushed (swappedWith -1) or swapped with `swappedWith`: a client
   * watching a key of `db` that now holds a value there, or in `swappedWith`, fails its next
   * EXEC. A swap of a db with itself changes nothing.
   */
  touchDb(db: number, swappedWith: number): void {
    if (swappedWith === db) return;
    const clients = this.#clientsByDb.get(db);
    if (clients === undefined) return;
    const store = this.#store;
    for (const client of clients) {
      if (client.isWatchDirty) continue;
      for (const watched of client.watchedKeys) {
        if (watched.db !== db) continue;
        const key = Buffer.from(watched.key, 'latin1');
        if (store.hasLiveKey(db, key) || (swappedWith >= 0 && store.hasLiveKey(swappedWith, key))) {
          client.isWatchDirty = true;
          break;
        }
      }
    }
  }
}
