import assert from 'node:assert/strict';
import type { CaseEnvironment, ConformanceCase } from '../case';
import type { CaseContext } from '../context';
import { startApp, type AppSessionOptions, type RunningApp } from '../e2e/app';
import { CookieClient } from '../e2e/cookie-client';
import { delay } from '../timing';
import type { StoreUnderTest } from '../types';
import { assertMiss } from './helpers';

const group = 'endToEnd';
const COOKIE = 'conformance.sid';

const e2eTimeout = ({ capabilities }: CaseEnvironment): number => 60_000 + 20 * capabilities.ttlGranularityMs;

/** An app instance: its own store from createStore on the case's namespace, closed with the case. */
async function instance(
  context: CaseContext,
  options: AppSessionOptions,
): Promise<{ app: RunningApp; store: StoreUnderTest; stop(): Promise<void> }> {
  const store = await context.openStore(context.namespace);
  const app = await startApp(store, options);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await context.closeStoreNow(store);
  };
  context.defer(() => app.close());
  return { app, store, stop };
}

/** Counts through a restart of the app and a second instance sharing the backend. */
async function persistsAcrossRestartAndInstances(context: CaseContext, options: AppSessionOptions): Promise<void> {
  const first = await instance(context, options);
  const client = new CookieClient(first.app.url);
  const one = await client.request('GET', '/count');
  assert.equal(one.body.n, 1);
  assert.ok(client.cookie(COOKIE), 'the app set no session cookie');
  assert.equal((await client.request('GET', '/count')).body.n, 2, 'the session did not persist across requests');
  const sid = one.body.sid;

  // Restart: the first process goes away, a new one starts on the same backend.
  await first.stop();
  const restarted = await instance(context, options);
  client.useServer(restarted.app.url);
  const afterRestart = await client.request('GET', '/count');
  assert.equal(afterRestart.body.sid, sid, 'the session got a new sid after the app restarted');
  assert.equal(afterRestart.body.n, 3, 'the session did not persist across an app restart');

  // A second instance sharing the backend, used alternately with the first.
  const second = await instance(context, options);
  client.useServer(second.app.url);
  assert.equal((await client.request('GET', '/count')).body.n, 4, 'a second app instance did not see the session');
  client.useServer(restarted.app.url);
  assert.equal(
    (await client.request('GET', '/count')).body.n,
    5,
    "the first instance did not see the second instance's write",
  );
  assert.equal((await client.request('GET', '/peek')).body.n, 5, 'a read-only request lost the session');
  client.useServer(second.app.url);
  assert.equal(
    (await client.request('GET', '/peek')).body.n,
    5,
    'a read-only request on the second instance lost the session',
  );
}

export const endToEndCases: ConformanceCase[] = [
  {
    clauses: [55],
    group,
    title:
      'behind express-session (resave false, saveUninitialized false) a session persists across requests, an app restart and a second instance',
    timeoutMs: e2eTimeout,
    async run(context) {
      await persistsAcrossRestartAndInstances(context, { resave: false, saveUninitialized: false, maxAgeMs: 600_000 });
    },
  },
  {
    clauses: [55],
    group,
    title:
      'behind express-session, regenerate() gives a new sid whose old sid misses, and logout (destroy) ends the session',
    timeoutMs: e2eTimeout,
    async run(context) {
      const { app, store } = await instance(context, { resave: false, saveUninitialized: false, maxAgeMs: 600_000 });
      const client = new CookieClient(app.url);
      const anonymous = await client.request('GET', '/count');
      const oldSid = anonymous.body.sid as string;
      const login = await client.request('POST', '/login');
      const newSid = login.body.sid as string;
      assert.notEqual(newSid, oldSid, 'regenerate() kept the sid');
      assert.equal(login.body.user, 'ada');
      assertMiss(await context.get(oldSid, store), 'get(old sid) after regenerate()');
      const peek = await client.request('GET', '/peek');
      assert.equal(peek.body.sid, newSid, 'the client did not get the regenerated sid');
      assert.equal(peek.body.user, 'ada', 'the logged-in session did not persist');
      assert.equal(peek.body.n, null, 'the regenerated session kept data of the old one');

      await client.request('POST', '/logout');
      assertMiss(await context.get(newSid, store), 'get(sid) after logout (destroy)');
      const after = await client.request('GET', '/peek');
      assert.equal(after.body.user, null, 'the session survived logout');
    },
  },
  {
    clauses: [56],
    group,
    title:
      'behind express-session with resave: true, a session persists across requests, an app restart and a second instance',
    timeoutMs: e2eTimeout,
    async run(context) {
      await persistsAcrossRestartAndInstances(context, { resave: true, saveUninitialized: false, maxAgeMs: 600_000 });
    },
  },
  {
    clauses: [56],
    group,
    title: 'behind express-session with rolling: true, a session persists and every response refreshes the cookie',
    timeoutMs: e2eTimeout,
    async run(context) {
      await persistsAcrossRestartAndInstances(context, {
        resave: false,
        saveUninitialized: false,
        rolling: true,
        maxAgeMs: 600_000,
      });
      const { app } = await instance(context, {
        resave: false,
        saveUninitialized: false,
        rolling: true,
        maxAgeMs: 600_000,
      });
      const client = new CookieClient(app.url);
      await client.request('GET', '/count');
      const peek = await client.request('GET', '/peek');
      assert.ok(
        peek.setCookies.some((header) => header.startsWith(`${COOKIE}=`)),
        'with rolling: true a read-only response did not set the cookie again',
      );
      assert.equal(peek.body.n, 1);
    },
  },
  {
    clauses: [56],
    group,
    title:
      'behind express-session, req.session.save() on a session kept alive by touches past its first expiry keeps it (no silent logout)',
    timeoutMs: e2eTimeout,
    async run(context) {
      const maxAgeMs = Math.max(2000, 4 * context.granularityMs);
      const { app, store } = await instance(context, { resave: false, saveUninitialized: false, maxAgeMs });
      const client = new CookieClient(app.url);
      const first = await client.request('GET', '/count');
      const firstExpiry = Date.now() + maxAgeMs;
      // Read-only requests: express-session calls store.touch() on each one.
      while (Date.now() <= firstExpiry + context.granularityMs) {
        await delay(maxAgeMs / 4);
        const peek = await client.request('GET', '/peek');
        assert.equal(peek.body.n, 1, 'the session vanished although a request touched it before every expiry');
      }
      const saved = await client.request('POST', '/save');
      assert.equal(saved.body.n, 1, 'the session was lost before the explicit save');
      const after = await client.request('GET', '/peek');
      assert.equal(
        after.body.sid,
        first.body.sid,
        'the client was given a new session after req.session.save() (silent logout)',
      );
      assert.equal(after.body.n, 1, 'req.session.save() after touches deleted the session (silent logout)');
      assert.equal(after.body.saves, 1);
      assert.ok(
        await context.get(first.body.sid as string, store),
        'the store lost the session after req.session.save()',
      );
    },
  },
];
