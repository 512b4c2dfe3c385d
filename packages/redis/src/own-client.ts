import { createRequire } from 'node:module';
import type { DriverName, RedisDriver } from './driver';
import type { OwnClientSource } from './own-client-source';
import { createOwnIoredis } from './own-ioredis-client';
import { createOwnNodeRedis } from './own-node-redis-client';

/** The store's own client with its driver; `stop` ends what keeps it connecting (not the client). */
export interface OwnClient {
  driver: RedisDriver;
  stop(): void;
}

const requireHere = createRequire(import.meta.url);

/**
 * Loads the chosen library only now, when the store makes its own client with it: both are
 * optional peer dependencies, and a user of one never installs or loads the other.
 */
function load<T>(name: 'ioredis' | 'redis', driver: DriverName): T {
  try {
    return requireHere(name) as T;
  } catch (error) {
    throw new TypeError(
      `RedisStore: option "driver" is "${driver}", but the "${name}" package cannot be loaded (install it: npm install ${name}): ${(error as Error).message}`,
    );
  }
}

export function createOwnClient(driver: DriverName, source: OwnClientSource, operationTimeoutMs: number): OwnClient {
  if (driver === 'node-redis') return createOwnNodeRedis(load('redis', driver), source, operationTimeoutMs);
  return { driver: createOwnIoredis(load('ioredis', driver), source, operationTimeoutMs), stop: () => {} };
}
