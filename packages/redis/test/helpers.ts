import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { expiresOf } from '../../../scripts/test-support/sessions';
import { RedisStore, type RedisStoreOptions } from '../src/index';
import { backendForTests, backendTitle, type HarnessServer } from '@session-stores/test-servers';

export interface TestRedis {
  server: HarnessServer;
  /** A client of the test's own, to read and write Redis behind the store's back. */
  admin: Redis;
  /** A store with its own client on this server and a random prefix; closed after the file. */
  store(options?: Partial<RedisStoreOptions>): RedisStore;
}

/**
 * Declares `title` with a standalone Redis for this file (REDIS_URL, else a local
 * redis-server; disposed after the file), or as skipped, with the reason, when there is none
 * (an error in strict mode instead: see the harness).
 */
export async function describeWithRedis(title: string, body: (redis: TestRedis) => void): Promise<void> {
  const server = await backendForTests('redis');
  describe.skipIf(!server)(`${title} [${backendTitle('redis', server)}]`, () => {
    if (server) body(redisAt(server));
  });
}

/** Stores and an admin client on `server`, closed after the file; `dispose` also stops the server then. */
export function redisAt(server: HarnessServer, { dispose = false } = {}): TestRedis {
  const admin = new Redis(server.url);
  const stores: RedisStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    admin.disconnect();
    if (dispose) await server.dispose();
  });
  return {
    server,
    admin,
    store(options = {}) {
      const base = options.client || options.cluster || options.sentinel ? {} : { url: server.url };
      const store = new RedisStore({ ...base, prefix: prefix(), ...options } as RedisStoreOptions);
      stores.push(store);
      return store;
    },
  };
}

export const prefix = (): string => `t${randomBytes(5).toString('hex')}:`;

export { expiresOf, session, sid } from '../../../scripts/test-support/sessions';

/** Polls `condition` until it holds; throws when `timeoutMs` passes first. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the session's cookie.expires has passed (by a margin for timer jitter). */
export async function pastExpiry(value: unknown, marginMs = 30): Promise<void> {
  const wait = Date.parse(expiresOf(value)) + marginMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Resolves when `emitter` emits `event`. */
export function nextEvent(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}
