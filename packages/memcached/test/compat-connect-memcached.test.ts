import { liveSession, type StoreUnderTest } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import connectMemcached from 'connect-memcached';
import session, { type SessionData, type Store } from 'express-session';
import Memcached from 'memcached';
import { afterEach, describe, expect, it } from 'vitest';
import { expectSwitchKeepsVisits } from '../../../scripts/test-support/visit-counter-app';
import { MemcachedStore, sessionKey } from '../src';
import connectMemcachedCompat from '../src/connect-memcached';
import { DAY_MS, eventually, randomPrefix, randomSid, sessionExpiringIn } from './helpers';
import { rawGet, remainingSeconds } from './helpers';

// connect-memcached 3.0.0 (on the `memcached` client) and MemcachedStore on one server, same prefix.
const server = await backendForTests('memcached');
const endpoint = server?.nodes[0] ?? { host: '127.0.0.1', port: 0 };
const ConnectMemcachedStore = connectMemcached(session);

const opened: Array<{ close(): unknown }> = [];

function pair(): { theirs: Store; ours: MemcachedStore; prefix: string } {
  const prefix = randomPrefix();
  const client = new Memcached(server!.url, { retries: 0, timeout: 2000 });
  const theirs = new ConnectMemcachedStore({ client, prefix });
  const ours = new MemcachedStore({ servers: server!.url, prefix });
  opened.push({ close: () => client.end() }, ours);
  return { theirs, ours, prefix };
}

function call<T>(run: (callback: (error: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) =>
    run((error, value) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(value))),
  );
}

const jsonOf = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((each) => each.close()));
});

describe.skipIf(!server)(`compatibility with connect-memcached 3.0.0 (${backendTitle('memcached', server)})`, () => {
  it('a session connect-memcached wrote is read by MemcachedStore', async () => {
    const { theirs, ours } = pair();
    const sid = randomSid();
    const written = sessionExpiringIn(3_600_000, { user: 'ada', cart: [1, 2], nested: { ok: true } });
    await call<void>((cb) => theirs.set(sid, written, cb));
    expect(await ours.get(sid)).toEqual(jsonOf(written));
    expect(await ours.ids()).toEqual([sid]);
  });

  it('a session MemcachedStore wrote is read by connect-memcached, as an object (JSON flag)', async () => {
    const { theirs, ours } = pair();
    const sid = randomSid();
    const written = sessionExpiringIn(3_600_000, { user: 'grace', unicode: 'é😀' });
    await ours.set(sid, written);
    expect(await call<SessionData | null>((cb) => theirs.get(sid, cb))).toEqual(jsonOf(written));
  });

  it('destroy by either one is seen by the other', async () => {
    const { theirs, ours } = pair();
    const [a, b] = [randomSid(), randomSid()];
    await ours.set(a, sessionExpiringIn(60_000));
    await call<void>((cb) => theirs.set(b, sessionExpiringIn(60_000), cb));
    await call<void>((cb) => theirs.destroy(a, cb));
    await ours.destroy(b);
    expect(await ours.get(a)).toBeNull();
    expect(await call<SessionData | null>((cb) => theirs.get(b, cb))).toBeUndefined();
  });

  it('MemcachedStore.touch on a session connect-memcached wrote keeps its data and updates its cookie', async () => {
    const { theirs, ours } = pair();
    const sid = randomSid();
    await call<void>((cb) => theirs.set(sid, sessionExpiringIn(60_000, { n: 2 }), cb));
    const touched = sessionExpiringIn(7_200_000, { n: 1 });
    await ours.touch(sid, touched);
    expect(await call<SessionData | null>((cb) => theirs.get(sid, cb))).toEqual({
      cookie: jsonOf(touched.cookie),
      n: 2,
    });
  });

  it('where the layouts part: connect-memcached loses a 31-day session at once (relative TTL over 30 days); MemcachedStore keeps it', async () => {
    const { theirs, ours, prefix } = pair();
    const [theirSid, ourSid] = [randomSid(), randomSid()];
    // Live sessions, as express-session passes them: connect-memcached reads the cookie's maxAge getter.
    await call<void>((cb) =>
      theirs.set(theirSid, liveSession(theirs as StoreUnderTest, theirSid, {}, { maxAge: 31 * DAY_MS }), cb),
    );
    await ours.set(ourSid, liveSession(ours as unknown as StoreUnderTest, ourSid, {}, { maxAge: 31 * DAY_MS }));
    expect(await rawGet(endpoint, sessionKey(prefix, theirSid))).toBeNull();
    expect(await ours.get(theirSid)).toBeNull();
    expect(await call<SessionData | null>((cb) => theirs.get(ourSid, cb))).toMatchObject({
      cookie: { originalMaxAge: 31 * DAY_MS },
    });
    expect(Math.abs((await remainingSeconds(endpoint, sessionKey(prefix, ourSid)))! - 31 * 86_400)).toBeLessThanOrEqual(
      4,
    );
  });

  it('where the layouts part: connect-memcached stores a sub-second remainder as "never expires"; MemcachedStore as 1 s plus its clock margin', async () => {
    const { theirs, ours, prefix } = pair();
    const [theirSid, ourSid] = [randomSid(), randomSid()];
    await call<void>((cb) =>
      theirs.set(theirSid, liveSession(theirs as StoreUnderTest, theirSid, {}, { maxAge: 500 }), cb),
    );
    await ours.set(ourSid, liveSession(ours as unknown as StoreUnderTest, ourSid, {}, { maxAge: 500 }));
    expect(await remainingSeconds(endpoint, sessionKey(prefix, theirSid))).toBe(-1);
    expect(await remainingSeconds(endpoint, sessionKey(prefix, ourSid))).toBeLessThanOrEqual(2);
    // Whatever memcached keeps, MemcachedStore never hands out a session whose cookie has expired.
    expect(await eventually(async () => (await ours.get(theirSid)) === null, 1500)).toBe(true);
    expect(await rawGet(endpoint, sessionKey(prefix, theirSid))).not.toBeNull();
  });

  it("the compatibility entry's number ttl is connect-memcached's: every session's lifetime, whatever its cookie says", async () => {
    const prefix = randomPrefix();
    const Compat = connectMemcachedCompat(session);
    const ours = new Compat({ hosts: [server!.url], prefix, ttl: 120 });
    opened.push(ours);
    const sid = randomSid();
    await ours.set(sid, sessionExpiringIn(3_600_000, { n: 1 }));
    const remaining = (await remainingSeconds(endpoint, sessionKey(prefix, sid)))!;
    expect(remaining).toBeGreaterThan(100);
    expect(remaining).toBeLessThanOrEqual(125);
    expect(await ours.get(sid)).toMatchObject({ n: 1 });
  });

  describe('switching packages under a running app', () => {
    it.each([
      ['connect-memcached to MemcachedStore', 'theirs', 'ours'],
      ['MemcachedStore to connect-memcached', 'ours', 'theirs'],
    ] as const)('%s keeps every user logged in', async (_title, first, second) => {
      const stores = pair();
      await expectSwitchKeepsVisits(stores[first], stores[second]);
    });
  });
});
