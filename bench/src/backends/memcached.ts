import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import expressSession from 'express-session';
import type { Store } from 'express-session';
import memjs from 'memjs';
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
  rawLabel: 'memjs get / set / touch / delete',

  async startServer(largestEnumeration) {
    const { startMemcached } = await import('@session-stores/test-servers');
    // memcached evicts once full: sessions of this size take about 750 bytes of slab each
    // (75 MB for 100,000), so the server gets room for the largest enumeration, with margin for
    // the operations' sessions, and never less than 256 MB.
    const memoryMb = Math.max(256, Math.ceil((largestEnumeration * 1000) / 2 ** 20) + 128);
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

async function raw(context: SubjectContext): Promise<Subject> {
  const client = memjs.Client.create(context.server.url, { logger: { log: () => undefined } });
  const key = (sid: string) => prefix('raw', context) + sid;
  return {
    kind: 'raw',
    label: memcachedBackend.rawLabel,
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
