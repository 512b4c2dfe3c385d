import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Key listing with `lru_crawler metadump all` (memcached 1.4.31 and later). It is a text-protocol
 * command and memjs speaks only the binary protocol, so it goes over a plain TCP connection of
 * its own, one per server and listing. The dump is read as a stream with backpressure: keys are
 * handed out while memcached is still crawling, and a slow consumer pauses the socket instead of
 * buffering the whole dump.
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
}

/** memcached runs one crawl at a time and answers BUSY to the next; such a listing is retried. */
class CrawlerBusy extends Error {}

const BUSY_RETRY_MS = 25;

export function describeEndpoint({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Every key of one server, as memcached crawls them. */
export async function* metadump(endpoint: Endpoint, options: MetadumpOptions): AsyncGenerator<DumpedKey> {
  const giveUpAt = Date.now() + options.busyTimeoutMs;
  for (;;) {
    try {
      yield* dumpOnce(endpoint, options);
      return;
    } catch (error) {
      // BUSY comes as the first line, before anything was yielded, so retrying repeats nothing.
      if (!(error instanceof CrawlerBusy) || Date.now() >= giveUpAt) throw error;
      await delay(BUSY_RETRY_MS);
    }
  }
}

async function* dumpOnce(endpoint: Endpoint, options: MetadumpOptions): AsyncGenerator<DumpedKey> {
  const where = describeEndpoint(endpoint);
  const socket: Socket = connect({ host: endpoint.host, port: endpoint.port });
  socket.setNoDelay(true);
  socket.setTimeout(options.idleTimeoutMs, () => {
    socket.destroy(new Error(`memcached ${where} sent nothing for ${options.idleTimeoutMs} ms during lru_crawler metadump`));
  });
  socket.write('lru_crawler metadump all\r\n');
  let pending = '';
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      pending += chunk.toString('latin1');
      let end = pending.indexOf('\n');
      while (end !== -1) {
        const line = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        if (line === 'END') return;
        if (line.startsWith('key=')) {
          const entry = parseLine(line);
          if (entry) yield entry;
        } else if (line.startsWith('BUSY')) {
          throw new CrawlerBusy(`memcached ${where}: ${line}`);
        } else if (line.length > 0) {
          throw new Error(`memcached ${where} refused lru_crawler metadump: ${line}`);
        }
        end = pending.indexOf('\n');
      }
    }
    throw new Error(`memcached ${where} closed the connection before the end of lru_crawler metadump`);
  } finally {
    socket.destroy();
  }
}

function parseLine(line: string): DumpedKey | null {
  let key: string | null = null;
  let exp = -1;
  for (const field of line.split(' ')) {
    if (field.startsWith('key=')) key = decodeKey(field.slice(4));
    else if (field.startsWith('exp=')) exp = Number(field.slice(4));
  }
  if (key === null || !Number.isFinite(exp)) return null;
  return { key, exp };
}

/** A key that is not valid UTF-8 once decoded is no key this store wrote (its keys are ASCII). */
function decodeKey(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}
