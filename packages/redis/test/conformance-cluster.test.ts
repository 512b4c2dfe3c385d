import { runConformance } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { DRIVERS, redisConformanceOptions } from './conformance-options';

// The whole suite against a Redis Cluster of three masters (REDIS_CLUSTER_NODES, else local
// servers): enumeration and clear() scan every master, and nothing fails with CROSSSLOT.
const server = await backendForTests('redis-cluster');
const admin = server ? new Cluster([...server.nodes]) : null;
// The fault cases stop the cluster under this client too: its reconnection errors are expected.
admin?.on('error', () => {});
afterAll(() => admin?.disconnect());

describe.skipIf(!server)(backendTitle('redis-cluster', server), () => {
  if (server && admin)
    for (const driver of DRIVERS)
      runConformance(
        redisConformanceOptions(
          `RedisStore (${driver}) on a Redis Cluster`,
          server,
          { cluster: { nodes: [...server.nodes] }, driver },
          admin,
        ),
      );
});
