import { createRequire } from 'node:module';
import type * as NodeRedis from 'redis';
import type { RedisClientType } from 'redis';
import { opened, type GradedStore } from '../types';

const require = createRequire(import.meta.url);

type ConnectRedisStore = new (options: { client: unknown; prefix: string }) => object;

/** connect-redis on node-redis, as its README sets it up (a connected client, an error listener). */
export const connectRedis: GradedStore = {
  id: 'connect-redis',
  title: 'connect-redis (node-redis)',
  ours: false,
  packages: ['connect-redis', 'redis'],
  backend: 'redis',
  namespace: 'key prefix `<namespace>:`',
  notes: ['node-redis emits `error` while the server is down: the client gets the listener its README shows.'],
  // connect-redis sets expiry in whole seconds (EX).
  capabilities: (server) => ({ ttlGranularityMs: 1000, persistent: server.dataSurvivesRestart }),
  factory:
    (server) =>
    async ({ namespace }) => {
      const { createClient } = require('redis') as typeof NodeRedis;
      const { RedisStore } = require('connect-redis') as { RedisStore: ConnectRedisStore };
      const client = createClient({ url: server.url }) as RedisClientType;
      client.on('error', () => undefined);
      await client.connect();
      return opened(new RedisStore({ client, prefix: `${namespace}:` }), () => client.destroy());
    },
};
