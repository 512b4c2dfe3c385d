import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { backendForTests, backendTitle, startRedisCluster, type HarnessServer } from '@session-stores/test-servers';
import { parseInfo, redisCommand } from '../src/resp';
import { lifecycleTests, type DataProbe } from './lifecycle';

async function withCluster<T>(server: HarnessServer, use: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = new Cluster(
    server.nodes.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect: true,
      clusterRetryStrategy: () => null,
      redisOptions: { maxRetriesPerRequest: 0 },
    },
  );
  try {
    await cluster.connect();
    return await use(cluster);
  } finally {
    cluster.disconnect();
  }
}

// Keys with different hash tags land on different masters: the probe touches every node.
const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
const probe: DataProbe = {
  write: (server, key, value) =>
    withCluster(server, async (cluster) => {
      for (const tag of tags) await cluster.set(`{${tag}}${key}`, value);
    }),
  read: (server, key) =>
    withCluster(server, async (cluster) => {
      const values = new Set<string | null>();
      for (const tag of tags) values.add(await cluster.get(`{${tag}}${key}`));
      expect(values.size).toBe(1);
      return [...values][0] ?? null;
    }),
};

const server = await backendForTests('redis-cluster');

describe.skipIf(!server)(backendTitle('redis-cluster', server), () => {
  lifecycleTests(() => server as HarnessServer, startRedisCluster, probe);

  it('has three masters, each reporting cluster_state:ok and serving part of the 16384 slots', async () => {
    const nodes = (server as HarnessServer).nodes;
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      const info = parseInfo(await redisCommand(node, ['CLUSTER', 'INFO']));
      expect(info.get('cluster_state')).toBe('ok');
      expect(info.get('cluster_known_nodes')).toBe('3');
      expect(info.get('cluster_size')).toBe('3');
      expect(info.get('cluster_slots_ok')).toBe('16384');
    }
  });
});
