import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect } from 'vitest';
import { backendForTests, backendTitle, startRedis, type HarnessServer } from '@session-stores/test-servers';
import { lifecycleTests, type DataProbe } from './lifecycle';

async function withClient<T>(server: HarnessServer, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

const probe: DataProbe = {
  write: (server, key, value) => withClient(server, async (client) => void (await client.set(key, value))),
  read: (server, key) => withClient(server, (client) => client.get(key)),
};

// Registered before backendForTests registers its own disposal, so it runs after it (vitest runs
// afterAll hooks in reverse order): the file's server is gone by then, not left to the exit hook.
afterAll(() => {
  if (server?.local) {
    expect(server.local.pids()).toEqual([]);
    expect(existsSync(server.local.dir)).toBe(false);
  }
});

const server = await backendForTests('redis');

describe.skipIf(!server)(backendTitle('redis', server), () => {
  lifecycleTests(() => server as HarnessServer, startRedis, probe);
});
