import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import expressSession from 'express-session';
import type { Store } from 'express-session';
import memjs from 'memjs';
import { parseLive, rawEnumeration } from '../raw-enumeration';
import { startHarnessServer } from '../servers';
import { expiresAt } from '../session-expiry';
import { loadOurStore, storeSubject, type BackendDefinition, type Subject, type SubjectContext } from '../subject';

const require = createRequire(import.meta.url);

/** Whole seconds until the session expires, rounded up (memcached's unit). */
function ttlSeconds(session: Parameters<typeof expiresAt>[0]): number {
  return Math.max(1, Math.ceil((expiresAt(session) - Date.now()) / 1000));
}

/**
 * Memcached: ours and raw on memjs (binary protocol), connect-memcached 3 on the `memcached`
 * client (text protocol), each with its own key prefix. connect-memcached's length() returns
 * server statistics rather than a count and it has no all(), so there is nothing to compare ours with there.
 */
export const memcachedBackend: BackendDefinition = {
  name: 'memcached',
  anchorLabel: 'connect-memcached 3.0.0 (memcached 2)',
  oursLabel: '@session-stores/memcached (memjs)',
  rawLabel: 'memjs get / set / touch / delete; lists with lru_crawler metadump',

  async startServer(largestEnumeration) {
    const { startMemcached } = await import('@session-stores/test-servers');
    // memcached evicts once full: sessions of this size take about 750 bytes of slab each
    // (75 MB for 100,000), and the enumeration seeds ours and raw before timing either, so the
    // server gets room for two of the largest enumeration, with margin for the operations'
    // sessions, and never less than 256 MB. (With room for one, 1,000,000 sessions each evicted
    // half of ours: its all() found 508,308.)
    const memoryMb = Math.max(256, Math.ceil((2 * largestEnumeration * 1000) / 2 ** 20) + 128);
    return startHarnessServer(
      'memcached',
      () => startMemcached({ memoryMb }),
      async (server) => {
        const client = memjs.Client.create(server.url, { logger: { log: () => undefined } });
        try {
          const stats = await new Promise<Record<string, string>>((resolve, reject) => {
            client.stats((error, _server, values) => (error ? reject(error) : resolve(values ?? {})));
          });
          return `memcached ${stats.version ?? '?'}, ${Math.round(Number(stats.limit_maxbytes ?? 0) / 2 ** 20)} MB`;
        } finally {
          client.close();
        }
      },
    );
  },

  async createSubject(kind, context) {
    if (kind === 'ours') return ours(context);
    if (kind === 'anchor') return anchor(context);
    return raw(context);
  },
};

const prefix = (kind: string, context: SubjectContext) => `${kind}:${context.namespace}:`;

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: { servers: string; prefix: string }) => Store & { close(): Promise<void> };
  const MemcachedStore = await loadOurStore<Ctor>(
    '@session-stores/memcached',
    'MemcachedStore',
    () => import('@session-stores/memcached'),
  );
  const store = new MemcachedStore({
    servers: context.server.url,
    prefix: prefix('ours', context),
    ...context.storeOptions,
  });
  return storeSubject('ours', memcachedBackend.oursLabel, store, () => store.close(), {
    seed: (sids, session) => pipelinedSeed(context.server.url, prefix('ours', context), sids, session),
  });
}

/**
 * Writes the sessions as ours stores them (the JSON with the `memcached` package's JSON flag, 2,
 * and ours' expiry: whole seconds plus a second of margin), as quiet text-protocol sets pipelined
 * on one connection, so that a million sessions take seconds instead of minutes of set() calls.
 * Sids of the bench are plain ASCII: the key is the prefix and the sid as they are.
 */
async function pipelinedSeed(
  url: string,
  keyPrefix: string,
  sids: readonly string[],
  session: Parameters<typeof expiresAt>[0],
): Promise<void> {
  const [host, port] = url.split(',')[0]!.split(':');
  const value = Buffer.from(JSON.stringify(session), 'utf8');
  const exptime = Math.ceil(expiresAt(session) / 1000) + 1;
  const socket = connect({ host: host!, port: Number(port) });
  await once(socket, 'connect');
  const done = new Promise<void>((resolve, reject) => {
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply = (reply + chunk.toString('latin1')).slice(-64);
      if (reply.endsWith('MN\r\n')) resolve();
      else if (/ERROR/.test(reply)) reject(new Error(`memcached refused a seeding set: ${reply.trim()}`));
    });
    socket.once('error', reject);
  });
  try {
    const BATCH = 2000;
    for (let start = 0; start < sids.length; start += BATCH) {
      const parts: Buffer[] = [];
      for (const sid of sids.slice(start, start + BATCH)) {
        parts.push(
          Buffer.from(`set ${keyPrefix}${sid} 2 ${exptime} ${value.length} noreply\r\n`, 'latin1'),
          value,
          CRLF,
        );
      }
      if (!socket.write(Buffer.concat(parts))) await once(socket, 'drain');
    }
    socket.write('mn\r\n');
    await done;
  } finally {
    socket.destroy();
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

async function anchor(context: SubjectContext): Promise<Subject> {
  const factory = require('connect-memcached') as (
    session: typeof expressSession,
  ) => new (options: Record<string, unknown>) => Store & { client: { end(): void } };
  const ConnectMemcachedStore = factory(expressSession);
  const store = new ConnectMemcachedStore({ hosts: context.server.url.split(','), prefix: prefix('anchor', context) });
  return storeSubject('anchor', memcachedBackend.anchorLabel, store, async () => store.client.end(), {
    length: false,
    enumerationNote: 'connect-memcached has no all(), and its length() returns server stats, not a count',
  });
}

/** Keys read per batch of parallel gets in the raw listing (memjs pipelines them on one connection). */
const RAW_BATCH = 1000;

/**
 * The keys of one namespace that `lru_crawler metadump hash` lists as live, on the first server
 * (the bench runs one). The dump is a text-protocol command, which memjs does not speak: a plain
 * socket reads it to its end (memcached holds its hash table's growth while it walks, so the dump
 * is not paced by anyone), and the keys are kept for the reads that follow. Keys are URL-encoded
 * in the dump; the bench's are plain ASCII apart from the prefix's ':'.
 */
async function liveKeys(url: string, keyPrefix: string): Promise<string[]> {
  const [host, port] = url.split(',')[0]!.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  const keys: string[] = [];
  const nowSeconds = Date.now() / 1000;
  try {
    socket.write('lru_crawler metadump hash\r\n');
    let pending = '';
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      pending += chunk.toString('latin1');
      // Key lines end with a bare LF, the closing END with CRLF.
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const text of lines) {
        const line = text.endsWith('\r') ? text.slice(0, -1) : text;
        if (line === 'END') return keys;
        const fields = line.split(' ');
        if (!fields[0]?.startsWith('key=')) throw new Error(`memcached refused lru_crawler metadump: ${line}`);
        const key = decodeURIComponent(fields[0].slice(4));
        const exp = Number(fields.find((field) => field.startsWith('exp='))?.slice(4));
        if (key.startsWith(keyPrefix) && (exp === -1 || exp > nowSeconds)) keys.push(key);
      }
    }
    throw new Error('memcached closed the connection before the end of lru_crawler metadump');
  } finally {
    socket.destroy();
  }
}

async function raw(context: SubjectContext): Promise<Subject> {
  const client = memjs.Client.create(context.server.url, { logger: { log: () => undefined } });
  const key = (sid: string) => prefix('raw', context) + sid;
  return {
    kind: 'raw',
    label: memcachedBackend.rawLabel,
    // The dump's live keys, then their values in batches of parallel gets; a key that expired or
    // was deleted since the dump reads as missing. length() counts the dump's live keys.
    ...rawEnumeration({
      async *pages() {
        const keys = await liveKeys(context.server.url, prefix('raw', context));
        for (let start = 0; start < keys.length; start += RAW_BATCH) {
          const items = await Promise.all(keys.slice(start, start + RAW_BATCH).map((name) => client.get(name)));
          yield parseLive(items.map((item) => item.value));
        }
      },
      count: async () => (await liveKeys(context.server.url, prefix('raw', context))).length,
    }),
    seed: (sids, session) => pipelinedSeed(context.server.url, prefix('raw', context), sids, session),
    get: async (sid) => {
      const { value } = await client.get(key(sid));
      return value ? (JSON.parse(value.toString('utf8')) as unknown) : null;
    },
    set: async (sid, session) => {
      await client.set(key(sid), JSON.stringify(session), { expires: ttlSeconds(session) });
    },
    touch: async (sid, session) => {
      await client.touch(key(sid), ttlSeconds(session));
    },
    destroy: async (sid) => {
      await client.delete(key(sid));
    },
    close: async () => client.close(),
  };
}
