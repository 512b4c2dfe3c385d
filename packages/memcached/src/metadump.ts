import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Key listing with `lru_crawler metadump`. It is a text-protocol command and memjs speaks only
 * the binary protocol, so it goes over a plain TCP connection of its own, one per server and
 * listing.
 *
 * memcached runs one crawl at a time, for every client of the server, and a hash walk holds off
 * the growth of its hash table while it runs. So the dump is read to its end as fast as the
 * server sends it, whatever the caller does with the keys: nothing here waits for the caller,
 * and the idle timeout stays on for the whole dump. A caller that hands keys to slower code
 * (iterate() yields to the app) keeps them first (see key-list.ts) and lets the crawler go.
 *
 * Two kinds of dump exist:
 * - `metadump hash` (memcached 1.6.10 and later) walks the hash table with hash expansion held
 *   off: every item that exists for the whole walk is listed exactly once.
 * - `metadump all` (1.4.31 and later) walks the LRU lists, which memcached keeps reordering
 *   (its LRU maintainer, and every read of a cold item, move items between lists), and skips
 *   items that are in use at that instant: an item can be missed, or listed twice.
 * The hash walk is used where the server knows it; older servers get the LRU walk, and callers
 * learn which one ran through {@link DumpInfo} so they can compensate.
 */

export interface Endpoint {
  host: string;
  port: number;
}

/** One line of the dump. */
export interface DumpedKey {
  /** The key, URL-decoded (metadump URL-encodes keys). */
  key: string;
  /** The absolute expiry in Unix seconds, or -1 when the item never expires. */
  exp: number;
}

export interface MetadumpOptions {
  /** Fail when the server sends nothing (connect included) for this long. */
  idleTimeoutMs: number;
  /** Give up retrying while another crawl runs on that server after this long. */
  busyTimeoutMs: number;
  /** Servers (`host:port`) found not to know `metadump hash`, so they are not asked again. */
  lruOnly: Set<string>;
}

/** Filled in by {@link metadump}: whether the dump that ran lists each item exactly once. */
export interface DumpInfo {
  consistent: boolean;
}

/** memcached runs one crawl at a time and answers BUSY to the next; such a listing is retried. */
class CrawlerBusy extends Error {}

/** The server does not know `metadump hash` (before 1.6.10 it reads "hash" as a class id: "BADCLASS invalid class id"). */
class HashDumpUnknown extends Error {}

const BUSY_RETRY_MS = 25;

export function describeEndpoint({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Every key of one server, as memcached crawls them, in the pieces the socket delivers them
 * (a piece may be empty). The caller must ask for the next piece at once, without awaiting
 * anything else: the dump is a short step of the caller's, never paced by its consumer.
 */
export async function* metadump(
  endpoint: Endpoint,
  options: MetadumpOptions,
  info: DumpInfo,
): AsyncGenerator<DumpedKey[]> {
  const where = describeEndpoint(endpoint);
  const giveUpAt = Date.now() + options.busyTimeoutMs;
  for (;;) {
    const mode = options.lruOnly.has(where) ? 'all' : 'hash';
    info.consistent = mode === 'hash';
    try {
      yield* dumpOnce(endpoint, where, mode, options);
      return;
    } catch (error) {
      // Both answers come as the first line, before anything was yielded: retrying repeats nothing.
      if (error instanceof HashDumpUnknown) {
        options.lruOnly.add(where);
        continue;
      }
      if (!(error instanceof CrawlerBusy) || Date.now() >= giveUpAt) throw error;
      await delay(BUSY_RETRY_MS);
    }
  }
}

async function* dumpOnce(
  endpoint: Endpoint,
  where: string,
  mode: 'hash' | 'all',
  options: MetadumpOptions,
): AsyncGenerator<DumpedKey[]> {
  const socket: Socket = connect({ host: endpoint.host, port: endpoint.port });
  socket.setNoDelay(true);
  socket.on('timeout', () => {
    socket.destroy(
      new Error(`memcached ${where} sent nothing for ${options.idleTimeoutMs} ms during lru_crawler metadump`),
    );
  });
  socket.setTimeout(options.idleTimeoutMs);
  socket.write(`lru_crawler metadump ${mode}\r\n`);
  let pending = '';
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      pending += chunk.toString('latin1');
      const entries: DumpedKey[] = [];
      let start = 0;
      let end = pending.indexOf('\n');
      while (end !== -1) {
        const line = pending.charCodeAt(end - 1) === 13 ? pending.slice(start, end - 1) : pending.slice(start, end);
        start = end + 1;
        if (line.startsWith('key=')) {
          const entry = parseLine(line);
          if (entry) entries.push(entry);
        } else if (line === 'END') {
          yield entries;
          return;
        } else if (line.startsWith('BUSY')) {
          throw new CrawlerBusy(`memcached ${where}: ${line}`);
        } else if (mode === 'hash' && /^(?:BADCLASS|CLIENT_ERROR|ERROR)/.test(line)) {
          throw new HashDumpUnknown(line);
        } else if (line.length > 0) {
          throw new Error(`memcached ${where} refused lru_crawler metadump: ${line}`);
        }
        end = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      yield entries;
    }
    throw new Error(`memcached ${where} closed the connection before the end of lru_crawler metadump`);
  } finally {
    socket.destroy();
  }
}

/** `key=<url-encoded> exp=<unix seconds or -1> la=... cas=... ...`: only the first two fields matter. */
function parseLine(line: string): DumpedKey | null {
  const keyEnd = line.indexOf(' ', 4);
  const key = decodeKey(keyEnd === -1 ? line.slice(4) : line.slice(4, keyEnd));
  if (key === null) return null;
  let exp = -1;
  const at = keyEnd === -1 ? -1 : line.indexOf(' exp=', keyEnd);
  if (at !== -1) {
    const expEnd = line.indexOf(' ', at + 5);
    exp = Number(expEnd === -1 ? line.slice(at + 5) : line.slice(at + 5, expEnd));
  }
  return Number.isFinite(exp) ? { key, exp } : null;
}

/** A key that is not valid UTF-8 once decoded is no key this store wrote (its keys are ASCII). */
function decodeKey(encoded: string): string | null {
  if (!encoded.includes('%')) return encoded;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}
