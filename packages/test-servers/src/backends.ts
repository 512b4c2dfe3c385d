import { startMemcached } from './memcached';
import { startMongo } from './mongo';
import { startPostgres } from './postgres';
import type { StartOptions } from './providers';
import { startRedis } from './redis';
import { startRedisCluster } from './redis-cluster';
import { startRedisSentinel } from './redis-sentinel';
import type { BackendName, HarnessServer, RedisClusterServer, RedisSentinelServer } from './types';

/** The server type each backend name gives. */
export interface ServerFor {
  redis: HarnessServer;
  'redis-cluster': RedisClusterServer;
  'redis-sentinel': RedisSentinelServer;
  postgres: HarnessServer;
  mongo: HarnessServer;
  memcached: HarnessServer;
  'memcached-pair': HarnessServer;
}

const STARTERS: { [Name in BackendName]: (options: StartOptions) => Promise<ServerFor[Name]> } = {
  redis: startRedis,
  'redis-cluster': startRedisCluster,
  'redis-sentinel': startRedisSentinel,
  postgres: startPostgres,
  mongo: startMongo,
  memcached: (options) => startMemcached({ ...options, servers: 1 }),
  'memcached-pair': (options) => startMemcached({ ...options, servers: 2 }),
};

export const BACKEND_NAMES = Object.keys(STARTERS) as BackendName[];

/** Starts a backend by name (see the start* functions for what each one gives). */
export function startBackend<Name extends BackendName>(
  name: Name,
  options: StartOptions = {},
): Promise<ServerFor[Name]> {
  const starter = STARTERS[name] as ((options: StartOptions) => Promise<ServerFor[Name]>) | undefined;
  if (!starter)
    return Promise.reject(
      new TypeError(`unknown backend "${String(name)}"; expected one of ${BACKEND_NAMES.join(', ')}`),
    );
  return starter(options);
}
