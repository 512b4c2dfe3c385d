import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  backendForTests,
  backendTitle,
  startRedisSentinel,
  type HarnessServer,
  type HostPort,
  type RedisSentinelServer,
} from '@session-stores/test-servers';
import { redisCommand } from '../src/resp';
import { lifecycleTests, type DataProbe } from './lifecycle';

async function withMaster<T>(server: RedisSentinelServer, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    sentinels: server.sentinels.map(({ host, port }) => ({ host, port })),
    name: server.masterName,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

const probe: DataProbe = {
  write: (server, key, value) =>
    withMaster(server as RedisSentinelServer, async (client) => {
      await client.set(key, value);
      // The replica must have it too, or a failover right after could lose it.
      expect(await client.wait(1, 5000)).toBe(1);
    }),
  read: (server, key) => withMaster(server as RedisSentinelServer, (client) => client.get(key)),
};

/** ROLE, without the replication offsets: `['master']`, or `['slave', host, port, state]`. */
async function role(address: HostPort): Promise<unknown[]> {
  const reply = (await redisCommand(address, ['ROLE'])) as unknown[];
  return reply[0] === 'master' ? ['master'] : reply.slice(0, 4);
}

const server = await backendForTests('redis-sentinel');
const sentinel = () => server as RedisSentinelServer;

describe.skipIf(!server)(backendTitle('redis-sentinel', server), () => {
  lifecycleTests(() => server as HarnessServer, startRedisSentinel, probe);

  it('has three Sentinels that agree on the master "mymaster"', async () => {
    expect(sentinel().masterName).toBe('mymaster');
    expect(sentinel().sentinels).toHaveLength(3);
    const master = await sentinel().master();
    for (const address of sentinel().sentinels) {
      expect(await redisCommand(address, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'])).toEqual([
        master.host,
        String(master.port),
      ]);
    }
    expect(await role(master)).toEqual(['master']);
  });

  it('failover() promotes the replica, keeps the data, and can run again', async (context) => {
    if (!sentinel().canFailover) context.skip('the harness does not fail over servers it did not start');
    const key = `failover-${Date.now()}`;
    await probe.write(sentinel(), key, 'written before failover');
    const before = await sentinel().master();

    const after = await sentinel().failover();
    expect(after).not.toEqual(before);
    expect(await sentinel().master()).toEqual(after);
    for (const address of sentinel().sentinels) {
      expect(await redisCommand(address, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'])).toEqual([
        after.host,
        String(after.port),
      ]);
    }
    expect(await role(after)).toEqual(['master']);
    expect(await role(before)).toEqual(['slave', '127.0.0.1', after.port, 'connected']);
    expect(await probe.read(sentinel(), key)).toBe('written before failover');

    expect(await sentinel().failover()).toEqual(before);
  });
});
