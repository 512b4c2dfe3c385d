import { RedisStore as ConnectRedisStore } from 'connect-redis';
import type { Store } from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startHarnessServer } from '../servers';
import { ttlMs } from '../session-expiry';
import { loadOurStore, storeSubject, type BackendDefinition, type Subject, type SubjectContext } from '../subject';

/**
 * Redis: ours on ioredis, connect-redis 10 on node-redis (the only client it accepts), and raw
 * ioredis with one command per operation. Each subject has its own key prefix.
 */
export const redisBackend: BackendDefinition = {
  name: 'redis',
  anchorLabel: 'connect-redis 10.0.0 (node-redis 5)',
  oursLabel: '@session-stores/redis (ioredis)',
  rawLabel: 'ioredis GET / SET PX / PEXPIRE / DEL',

  async startServer() {
    const { startRedis } = await import('@session-stores/test-servers');
    return startHarnessServer(
      'redis',
      () => startRedis(),
      async (server) => {
        const client = new Redis(server.url, { lazyConnect: true });
        try {
          await client.connect();
          const info = await client.info('server');
          return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
        } finally {
          client.disconnect();
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
  type Ctor = new (options: { url: string; prefix: string }) => Store & { close(): Promise<void> };
  const RedisStore = await loadOurStore<Ctor>(
    '@session-stores/redis',
    'RedisStore',
    () => import('@session-stores/redis'),
  );
  const store = new RedisStore({ url: context.server.url, prefix: prefix('ours', context) });
  return storeSubject('ours', redisBackend.oursLabel, store, () => store.close());
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const client = createClient({ url: context.server.url });
  client.on('error', () => undefined);
  await client.connect();
  const store = new ConnectRedisStore({ client, prefix: prefix('anchor', context) });
  return storeSubject('anchor', redisBackend.anchorLabel, store, async () => {
    await client.quit();
  });
}

async function raw(context: SubjectContext): Promise<Subject> {
  const client = new Redis(context.server.url);
  const key = (sid: string) => prefix('raw', context) + sid;
  return {
    kind: 'raw',
    label: redisBackend.rawLabel,
    get: async (sid) => {
      const value = await client.get(key(sid));
      return value === null ? null : (JSON.parse(value) as unknown);
    },
    set: async (sid, session) => {
      await client.set(key(sid), JSON.stringify(session), 'PX', ttlMs(session));
    },
    touch: async (sid, session) => {
      await client.pexpire(key(sid), ttlMs(session));
    },
    destroy: async (sid) => {
      await client.del(key(sid));
    },
    close: async () => {
      await client.quit();
    },
  };
}
