import { createHash } from 'node:crypto';

/**
 * Ketama consistent hashing, as the `memcached` package (connect-memcached's client) spreads keys
 * over several servers, so that a store switched from connect-memcached finds every session on
 * the server that holds it. memjs's own choice (a string hash modulo the server count) sends most
 * keys elsewhere.
 *
 * The ring: each server gets `floor(weight / totalWeight * 40 * serverCount)` points groups; the
 * MD5 digest of `"<name>-<i>"` gives four points (its 32-bit little-endian words). `<name>` is the
 * server string as the user wrote it, or only its host when it names the default port 11211
 * explicitly (libketama's rule, which the `memcached` package follows). A key goes to the first
 * point at or after the first word of its own digest, wrapping round to the first point.
 */

/** Point groups per server at equal weights (libketama's 40, times four points per digest). */
const POINTS_PER_SERVER = 40;
const DEFAULT_PORT = 11211;

export interface KetamaServer {
  /** `host:port` or `host`, exactly as given to connect-memcached. */
  address: string;
  weight: number;
}

function digestWords(text: string): number[] {
  const digest = createHash('md5').update(text).digest();
  return [0, 1, 2, 3].map((word) => digest.readUInt32LE(word * 4));
}

function ringName(address: string): string {
  const [host, port] = address.split(':');
  return port !== undefined && Number(port) === DEFAULT_PORT ? host! : address;
}

/** A function from a key to the index, in `servers`, of the server the `memcached` package sends it to. */
export function ketamaServerIndex(servers: readonly KetamaServer[]): (key: string) => number {
  const total = servers.reduce((sum, server) => sum + server.weight, 0);
  const points: Array<{ value: number; index: number }> = [];
  servers.forEach((server, index) => {
    const groups = Math.floor((server.weight / total) * POINTS_PER_SERVER * servers.length);
    const name = ringName(server.address);
    for (let i = 0; i < groups; i++) {
      for (const value of digestWords(`${name}-${i}`)) points.push({ value, index });
    }
  });
  points.sort((a, b) => a.value - b.value);
  const values = points.map((point) => point.value);
  const owners = points.map((point) => point.index);
  return (key) => {
    if (values.length === 0) return 0;
    const hash = digestWords(key)[0]!;
    // The first point at or after the key's hash (binary search), or the first point.
    let low = 0;
    let high = values.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (values[middle]! < hash) low = middle + 1;
      else high = middle;
    }
    return owners[low === values.length ? 0 : low]!;
  };
}
