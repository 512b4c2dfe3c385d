import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RedisStore as ConnectRedis10 } from 'connect-redis';
import { RedisStore as ConnectRedis8 } from 'connect-redis-8';
import type { Express } from 'express';
import type { SessionData, Store } from 'express-session';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitOnce as visit } from '../../../scripts/test-support/visit';
import type { RedisStore } from '../src/index';
import { describeWithRedis, prefix, session, sid } from './helpers';
import { runModule, swap } from './readme';

/**
 * The switch as a user makes it, on a real Redis: connect-redis's own README "Full setup" runs an
 * app on the real package (8 on an ioredis client, which 8 still takes; 10 on node-redis, the only
 * client 9 and 10 take, their code being the same), a visitor gets a session, then the same code
 * with only the import line changed runs on RedisStore and the visitor's session carries on.
 */
const require = createRequire(import.meta.url);

/** The one js block of an installed connect-redis README containing `new RedisStore({`. */
function fullSetup(pkg: string): string {
  const readme = readFileSync(new URL('../readme.md', `file://${require.resolve(pkg)}`), 'utf8');
  const found = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((c) => c.includes('new RedisStore({'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The example with an app it does not show, a route counting visits, and its objects exported. */
const asModule = (code: string) => `import express from 'express';\nconst app = express();\n${code}
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.send('views: ' + req.session.views);
});
export { app, redisStore, redisClient };
`;

interface RunningExample {
  app: Express;
  redisStore: Store;
  redisClient: { quit?(): Promise<unknown>; close?(): Promise<unknown>; disconnect?(): void };
}

async function stop(example: RunningExample): Promise<void> {
  if ('close' in example.redisStore && typeof example.redisStore.close === 'function') await example.redisStore.close();
  const client = example.redisClient;
  if (client.close) await client.close();
  else client.disconnect?.();
}

await describeWithRedis("drop-in for connect-redis: its README's Full setup, only the import line changed", (redis) => {
  const url = JSON.stringify(redis.server.url);
  const ours = 'import {RedisStore} from "@session-stores/redis"';

  /** Runs `code` (importing the anchor as `anchorImport`), then the same with our import, following one visitor. */
  async function switchKeepsTheVisitor(name: string, code: string, anchorImport: string): Promise<RedisStore> {
    const before = (await runModule(`${name}-before`, asModule(code))) as unknown as RunningExample;
    let first: { text: string; cookie: string };
    try {
      first = await visit(before.app);
      expect(first.text).toBe('views: 1');
      expect((await visit(before.app, first.cookie)).text).toBe('views: 2');
    } finally {
      await stop(before);
    }
    const sidOf = decodeURIComponent(first.cookie.split('=')[1]!).slice(2).split('.')[0]!;
    expect(await redis.admin.exists(`myapp:${sidOf}`)).toBe(1);

    const after = (await runModule(
      `${name}-after`,
      asModule(swap(code, anchorImport, ours)),
    )) as unknown as RunningExample;
    try {
      expect((await visit(after.app, first.cookie)).text).toBe('views: 3');
      expect((await visit(after.app)).text).toBe('views: 1');
      expect(JSON.parse((await redis.admin.get(`myapp:${sidOf}`))!)).toMatchObject({ views: 3 });
      return after.redisStore as RedisStore;
    } finally {
      await redis.admin.del(`myapp:${sidOf}`);
      await stop(after);
    }
  }

  it('connect-redis 8 on an ioredis client (the README example with the ioredis client it lists)', async () => {
    let code = swap(
      fullSetup('connect-redis-8'),
      'import {RedisStore} from "connect-redis"',
      'import {RedisStore} from "connect-redis-8"',
    );
    // connect-redis 8 lists ioredis as a client; this is the example with that client, at the test server.
    code = swap(code, 'import {createClient} from "redis"', 'import {Redis} from "ioredis"');
    code = swap(
      code,
      'let redisClient = createClient()\nredisClient.connect().catch(console.error)',
      `let redisClient = new Redis(${url})`,
    );
    const store = await switchKeepsTheVisitor('connect-redis-8', code, 'import {RedisStore} from "connect-redis-8"');
    expect(store.driverName).toBe('ioredis');
  });

  it('connect-redis 8 on node-redis, the README example as it is', async () => {
    let code = swap(
      fullSetup('connect-redis-8'),
      'import {RedisStore} from "connect-redis"',
      'import {RedisStore} from "connect-redis-8"',
    );
    code = swap(code, 'createClient()', `createClient({ url: ${url} })`);
    const store = await switchKeepsTheVisitor('connect-redis-8n', code, 'import {RedisStore} from "connect-redis-8"');
    expect(store.driverName).toBe('node-redis');
  });

  it('connect-redis 9/10 on node-redis, the README example as it is', async () => {
    const code = swap(fullSetup('connect-redis'), 'createClient()', `createClient({ url: ${url} })`);
    const store = await switchKeepsTheVisitor('connect-redis-10', code, 'import {RedisStore} from "connect-redis"');
    expect(store.driverName).toBe('node-redis');
  });
});

/**
 * Every option of connect-redis, given the same to connect-redis and to RedisStore on one server:
 * each writes a session, and Redis holds the same for both (key, value, expiry), so no option is
 * ignored. None is refused: connect-redis has no option RedisStore lacks.
 */
await describeWithRedis("connect-redis's options mean the same in RedisStore", (redis) => {
  let nodeRedis: ReturnType<typeof createClient>;
  let ioredis: Redis;
  beforeAll(async () => {
    nodeRedis = createClient({ url: redis.server.url });
    await nodeRedis.connect();
    ioredis = new Redis(redis.server.url);
  });
  afterAll(async () => {
    await nodeRedis?.close();
    ioredis?.disconnect();
  });

  type Options = Record<string, unknown>;
  const upper = {
    stringify: (value: unknown) => `U${JSON.stringify(value)}`,
    parse: (text: string) => JSON.parse(text.slice(1)) as unknown,
  };
  const cases: Array<[string, Options]> = [
    ['prefix', {}],
    ['ttl (seconds)', { ttl: 120 }],
    ['ttl (a function of the session)', { ttl: (sess: SessionData) => ((sess as { long?: boolean }).long ? 600 : 60) }],
    ['serializer', { serializer: upper }],
    ['disableTTL', { disableTTL: true }],
  ];

  for (const [anchorName, Anchor, client] of [
    ['connect-redis 8 (ioredis)', ConnectRedis8, () => ioredis],
    ['connect-redis 10 (node-redis)', ConnectRedis10, () => nodeRedis],
  ] as const) {
    describe(anchorName, () => {
      it.each(cases)('%s', async (_name, options) => {
        const shared = { prefix: prefix(), ...options };
        const theirs = new (Anchor as new (o: object) => Store & { set(s: string, v: SessionData): Promise<void> })({
          client: client(),
          ...shared,
        });
        const ours = redis.store({ client: client(), ...shared });
        // No cookie expiry: ttl (and its function) decides the lifetime, in both.
        const value = {
          cookie: { originalMaxAge: null, path: '/' },
          long: true,
          user: 'ada',
        } as unknown as SessionData;
        const [a, b] = [sid(), sid()];
        await theirs.set(a, value);
        await ours.set(b, value);
        const held = async (id: string) => ({
          value: await redis.admin.get(`${shared.prefix}${id}`),
          ttl: await redis.admin.ttl(`${shared.prefix}${id}`),
        });
        const [mine, theirsHeld] = [await held(b), await held(a)];
        expect(theirsHeld.value).not.toBeNull();
        const parse = (text: string | null) =>
          text === null ? null : options.serializer ? upper.parse(text) : (JSON.parse(text) as unknown);
        expect(parse(mine.value)).toEqual(parse(theirsHeld.value));
        if (theirsHeld.ttl === -1) expect(mine.ttl).toBe(-1);
        else expect(Math.abs(mine.ttl - theirsHeld.ttl)).toBeLessThanOrEqual(1);
        // Each reads what the other wrote.
        expect(await ours.get(a)).toMatchObject({ user: 'ada' });
      });

      it('disableTouch: touch is absent in both, so express-session never calls it', () => {
        const theirs = new (Anchor as new (o: object) => Store)({
          client: client(),
          prefix: prefix(),
          disableTouch: true,
        });
        const ours = redis.store({ client: client(), disableTouch: true });
        // connect-redis keeps a touch that does nothing; RedisStore has none, so express-session
        // re-saves only when resave asks: the stored expiry is moved by neither.
        expect(typeof (theirs as { touch?: unknown }).touch).toBe('function');
        expect((ours as { touch?: unknown }).touch).toBeUndefined();
      });

      it('scanCount: the COUNT of the SCANs behind all/ids/length/clear', async () => {
        const ours = redis.store({ client: client(), scanCount: 7 });
        for (let i = 0; i < 3; i += 1) await ours.set(sid(), session(60_000));
        // What the server was sent, seen by MONITOR on a connection of the test's own.
        const monitor = await redis.admin.monitor();
        const sent: string[][] = [];
        monitor.on('monitor', (_time: unknown, args: string[]) => sent.push(args));
        try {
          expect(await ours.length()).toBe(3);
          await ours.get(sid()); // one more command, so the SCAN has been relayed when it is seen
          const scans = sent.filter((args) => args[0]?.toLowerCase() === 'scan');
          expect(scans.length).toBeGreaterThan(0);
          for (const args of scans) expect(args.map((a) => a.toLowerCase()).join(' ')).toMatch(/ count 7( |$)/);
        } finally {
          monitor.disconnect();
        }
      });
    });
  }
});
