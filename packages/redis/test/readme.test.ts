import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { expectVisitCounter } from '../../../scripts/test-support/readme-code';
import type { RedisStore } from '../src/index';
import { describeWithRedis, session, sid } from './helpers';
import { readmeBlock, runModule, swap } from './readme';

const DEFAULT_URL = "process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'";

await describeWithRedis('README', (redis) => {
  it('the usage example keeps a visit counter in Redis', async () => {
    let code = swap(readmeBlock('app.listen(3000);'), DEFAULT_URL, JSON.stringify(redis.server.url));
    code = swap(code, 'app.listen(3000);', 'export { app, store };');
    // Named, so the test can close the store (and its client) when done.
    code = swap(code, 'store: new RedisStore({', 'store: store = new RedisStore({');
    code = swap(code, 'const app = express();', 'let store: RedisStore;\nconst app = express();');
    const { app, store } = (await runModule('usage', code)) as { app: Express; store: RedisStore };
    try {
      await expectVisitCounter(app, async (cookie) => {
        const sidInCookie = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
        expect(JSON.parse((await redis.admin.get(`sess:${sidInCookie}`))!)).toMatchObject({ views: 2 });
        await redis.admin.del(`sess:${sidInCookie}`);
      });
    } finally {
      await store.close();
    }
  });

  it('the own-client example uses that client and leaves it open', async () => {
    let code = swap(readmeBlock('const client = new Redis('), DEFAULT_URL, JSON.stringify(redis.server.url));
    code = `import { RedisStore } from '@session-stores/redis';\n${code}\nexport { client, store };`;
    const { client, store } = (await runModule('own-client', code)) as { client: Redis; store: RedisStore };
    try {
      expect(store.client).toBe(client);
      const id = sid();
      await store.set(id, session(60_000, { n: 1 }));
      expect(await redis.admin.exists(`myapp:sess:${id}`)).toBe(1);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
