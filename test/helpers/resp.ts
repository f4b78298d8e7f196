/**
 * RESP helpers for tests: encode a request as a multibulk, and decode replies (RESP2 and
 * RESP3) into plain values so tests can compare them with toEqual.
 * Decoded shapes: simple string → { simple: text }, error → { error: text }, integer →
 * number (bigint if unsafe), bulk → Buffer, null → null, array/set/push → arrays (push as
 * { push: [...] }), map → { map: [[k, v], ...] }, double → { double: text }, boolean → boolean,
 * verbatim → { verbatim: text }.
 * Why not a client library: protocol tests must see the exact frames the server sends.
 */

export type RespValue =
  | null | number | bigint | boolean | Buffer | RespValue[]
  | { simple: string } | { error: string } | { push: RespValue[] } | { map: [RespValue, RespValue][] }
  | { double: string } | { verbatim: string } | { set: RespValue[] };

/** `*n\r\n$len\r\narg\r\n...` */
export function encodeCommand(argv: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const argument of argv) {
    const bytes = typeof argument === 'string' ? Buffer.from(argument) : Buffer.from(argument);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export type DecodeResult = { value: RespValue; nextOffset: number } | null;

/** Decodes one reply at `offset`, or null if the bytes end before it does. */
export function decodeReply(buffer: Buffer, offset = 0): DecodeResult {
  if (offset >= buffer.length) return null;
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return null;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+': return { value: { simple: line }, nextOffset: next };
    case '-': return { value: { error: line }, nextOffset: next };
    case ':': {
      const big = BigInt(line);
      return { value: Number.isSafeInteger(Number(big)) ? Number(big) : big, nextOffset: next };
    }
    case '_': return { value: null, nextOffset: next };
    case '#': return { value: line === 't', nextOffset: next };
    case ',': return { value: { double: line }, nextOffset: next };
    case '$': case '=': {
      const length = Number(line);
      if (length < 0) return { value: null, nextOffset: next };
      if (buffer.length < next + length + 2) return null;
      const body = buffer.subarray(next, next + length);
      const value: RespValue = type === '=' ? { verbatim: body.toString('utf8').slice(4) } : Buffer.from(body);
      return { value, nextOffset: next + length + 2 };
    }
    case '*': case '~': case '>': case '%': {
      const count = Number(line);
      if (count < 0) return { value: null, nextOffset: next };
      const elementCount = type === '%' ? count * 2 : count;
      const items: RespValue[] = [];
      let position = next;
      for (let index = 0; index < elementCount; index++) {
        const item = decodeReply(buffer, position);
        if (item === null) return null;
        items.push(item.value);
        position = item.nextOffset;
      }
      if (type === '>') return { value: { push: items }, nextOffset: position };
      if (type === '~') return { value: { set: items }, nextOffset: position };
      if (type === '%') {
        const pairs: [RespValue, RespValue][] = [];
        for (let index = 0; index < items.length; index += 2) pairs.push([items[index], items[index + 1]]);
        return { value: { map: pairs }, nextOffset: position };
      }
      return { value: items, nextOffset: position };
    }
    default:
      throw new Error(`Unknown RESP type byte '${type}' at ${offset}: ${JSON.stringify(buffer.toString('latin1', offset, offset + 40))}`);
  }
}

/** Decodes every complete reply in `buffer`. */
export function decodeAll(buffer: Buffer): { values: RespValue[]; restOffset: number } {
  const values: RespValue[] = [];
  let offset = 0;
  for (;;) {
    const decoded = decodeReply(buffer, offset);
    if (decoded === null) return { values, restOffset: offset };
    values.push(decoded.value);
    offset = decoded.nextOffset;
  }
}

/** Turns decoded values into something readable in assertions: Buffers become strings. */
export function readable(value: RespValue): unknown {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(readable);
  if (value !== null && typeof value === 'object') {
    if ('push' in value) return { push: value.push.map(readable) };
    if ('set' in value) return { set: value.set.map(readable) };
    if ('map' in value) return { map: value.map.map(([key, item]) => [readable(key), readable(item)]) };
  }
  return value;
}
