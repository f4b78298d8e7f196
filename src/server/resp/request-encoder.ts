/**
 * Encodes a command the way a client sends it: a RESP array of bulk strings (strings as UTF-8).
 * Why here: the server's start-up warm-up (warm-up.ts) is its own client, and the benches'
 * RESP client (bench/lib/resp-connection.ts) uses the same encoder.
 * Invariant: one allocation per command (the benches' fill encodes a million of these).
 */

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(argv: ReadonlyArray<string | Buffer>): Buffer {
  const words = argv.map((word) => (typeof word === 'string' ? Buffer.from(word, 'utf8') : word));
  let lengthBytes = 3 + String(argv.length).length;
  for (const word of words) lengthBytes += 5 + String(word.length).length + word.length;
  const encoded = Buffer.allocUnsafe(lengthBytes);
  let offset = encoded.write(`*${argv.length}\r\n`, 0, 'latin1');
  for (const word of words) {
    offset += encoded.write(`$${word.length}\r\n`, offset, 'latin1');
    offset += word.copy(encoded, offset);
    offset += encoded.write('\r\n', offset, 'latin1');
  }
  return encoded;
}
