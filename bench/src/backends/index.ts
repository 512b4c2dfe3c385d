import type { BackendDefinition, BackendName } from '../subject';
import { memcachedBackend } from './memcached';
import { mongoBackend } from './mongo';
import { postgresBackend } from './postgres';
import { redisBackend, redisIoredisBackend } from './redis';
import { sqliteBackend } from './sqlite';

/** Every backend the bench knows, by name. */
export const backendDefinitions: Record<BackendName, BackendDefinition> = {
  redis: redisBackend,
  'redis-ioredis': redisIoredisBackend,
  postgres: postgresBackend,
  mongo: mongoBackend,
  sqlite: sqliteBackend,
  memcached: memcachedBackend,
};
