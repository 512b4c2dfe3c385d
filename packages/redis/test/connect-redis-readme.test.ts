import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Express } from 'express';
import { expect, it } from 'vitest';
import { expectVisitCounter } from '../../../scripts/test-support/readme-code';
import type { RedisStore } from '../src/index';
import { describeWithRedis } from './helpers';
import { runModule, swap } from './readme';

/** connect-redis 10's own README (a devDependency), its "Full setup" example. */
function connectRedisExample(): string {
  const entry = createRequire(import.meta.url).resolve('connect-redis');
  const readme = readFileSync(new URL('../readme.md', `file://${entry}`), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const found = blocks.filter((code) => code.includes('new RedisStore({'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

await describeWithRedis("connect-redis 10's README example with only the import line changed", (redis) => {
  it('runs on RedisStore with its node-redis client, keeping sessions under its prefix', async () => {
    let code = swap(
      connectRedisExample(),
      'import {RedisStore} from "connect-redis"',
      'import {RedisStore} from "@session-stores/redis"',
    );
    // The address of the test server (the example connects to localhost:6379).
    code = swap(code, 'createClient()', `createClient({ url: ${JSON.stringify(redis.server.url)} })`);
    // The example uses an app it does not show; give it one, a route that counts visits, and exports.
    code = `import express from 'express';\nconst app = express();\n${code}
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.send(\`views: \${req.session.views}\`);
});
export { app, redisStore, redisClient };
`;
    const { app, redisStore, redisClient } = (await runModule('connect-redis-readme', code)) as {
      app: Express;
      redisStore: RedisStore;
      redisClient: { isReady: boolean; close(): Promise<unknown> };
    };
    try {
      expect(redisStore.driverName).toBe('node-redis');
      await expectVisitCounter(app, async (cookie) => {
        const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
        expect(JSON.parse((await redis.admin.get(`myapp:${sid}`))!)).toMatchObject({ views: 2 });
        await redis.admin.del(`myapp:${sid}`);
      });
    } finally {
      await redisStore.close();
      await redisClient.close();
    }
  });
});
