import { runConformance } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { DRIVERS, redisConformanceOptions } from './conformance-options';

// The whole suite against a master and a replica watched by Sentinel (REDIS_SENTINELS, else
// local servers), through ioredis's Sentinel support.
const server = await backendForTests('redis-sentinel');
const sentinel = server ? { sentinels: [...server.sentinels], name: server.masterName } : null;
const admin = sentinel ? new Redis({ sentinels: sentinel.sentinels, name: sentinel.name }) : null;
// The fault cases stop every node under this client too: its reconnection errors are expected.
admin?.on('error', () => {});
afterAll(() => admin?.disconnect());

describe.skipIf(!server)(backendTitle('redis-sentinel', server), () => {
  if (server && sentinel && admin)
    for (const driver of DRIVERS)
      runConformance(
        redisConformanceOptions(`RedisStore (${driver}) on Redis Sentinel`, server, { sentinel, driver }, admin),
      );
});
