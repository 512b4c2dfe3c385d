import { runConformance } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { DRIVERS, redisConformanceOptions } from './conformance-options';

// The whole suite against a standalone Redis (REDIS_URL, else a local redis-server).
const server = await backendForTests('redis');
const admin = server ? new Redis(server.url) : null;
// The fault cases stop the server under this client too: its reconnection errors are expected.
admin?.on('error', () => {});
afterAll(() => admin?.disconnect());

describe.skipIf(!server)(backendTitle('redis', server), () => {
  if (server && admin)
    for (const driver of DRIVERS)
      runConformance(
        redisConformanceOptions(
          `RedisStore (${driver}) on a standalone Redis`,
          server,
          { url: server.url, driver },
          admin,
        ),
      );
});
