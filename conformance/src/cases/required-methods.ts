import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import expressSession from 'express-session';
import { callWithCallback, callWithPromise, waitForSettledWithoutHandling } from '../calls';
import { faultCaseTimeoutMs, requires, type ConformanceCase } from '../case';
import { captureProcessFaults } from '../process-faults';
import { CookieClass, SessionClass, type LiveSession } from '../sessions';
import { pollUntil, settle } from '../timing';
import {
  asIdList,
  asSessionList,
  assertGone,
  assertMiss,
  assertCalledBackWithError,
  assertNoProcessFaults,
  assertSameIds,
  assertStored,
} from './helpers';

const group = 'requiredMethods';

/** Sids that have meant something to some backend, library or language (clause 9). */
export const ODD_SIDS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'a:b',
  'a/b',
  'a.b',
  '%',
  '%2F',
  '*',
  'a*',
  '?',
  'a?',
  '[',
  '[a-z]',
  '\\',
  'a b',
  ' ',
  'ключ',
  '鍵',
  '🔑',
];

/** The observable state of a live Session, own keys, descriptors and Cookie included (clause 8). */
function describeLive(session: LiveSession): Record<string, unknown> {
  const cookie = session.cookie as unknown as Record<string, unknown>;
  return {
    json: JSON.stringify(session),
    keys: Reflect.ownKeys(session).map(String),
    enumerable: Object.keys(session),
    id: session.id,
    req: (session as unknown as { req: unknown }).req,
    cookieIsCookie: session.cookie instanceof CookieClass,
    sessionIsSession: session instanceof SessionClass,
    cookieKeys: Reflect.ownKeys(cookie).map(String),
    expires:
      session.cookie.expires instanceof Date
        ? `Date ${session.cookie.expires.getTime()}`
        : inspect(session.cookie.expires),
    originalMaxAge: session.cookie.originalMaxAge,
  };
}

export const requiredMethodsCases: ConformanceCase[] = [
  {
    clauses: [1],
    group,
    title: 'the store is an instance of session.Store: an EventEmitter with createSession, load and regenerate',
    async run({ store }) {
      const methods = store as unknown as Record<string, unknown>;
      const isStore =
        store instanceof expressSession.Store ||
        // Another copy of express-session (a second install) has its own Store class.
        (typeof methods.createSession === 'function' &&
          typeof methods.load === 'function' &&
          typeof methods.regenerate === 'function' &&
          hasStoreInChain(store));
      assert.ok(
        isStore,
        `the store is not an instance of express-session's Store (prototype chain: ${prototypeNames(store).join(' -> ')})`,
      );
      assert.ok(store instanceof EventEmitter, 'the store is not an EventEmitter');
      for (const method of ['createSession', 'load', 'regenerate', 'get', 'set', 'destroy'] as const) {
        assert.equal(typeof methods[method], 'function', `store.${method} is not a function`);
      }
    },
  },
  {
    clauses: [2],
    group,
    title: 'get(sid) of an unknown sid calls back (null, null), and its promise resolves to null',
    async run(context) {
      const outcome = await context.call('get', [context.sid()]);
      assert.equal(
        outcome.error ?? null,
        null,
        `${outcome.label} called back with an error for an unknown sid: ${inspect(outcome.error)}`,
      );
      assertMiss(outcome.value, 'get of an unknown sid (callback)');
      assertMiss(
        await callWithPromise(context.store, 'get', [context.sid()], context.callTimeoutMs),
        'get of an unknown sid (promise)',
      );
    },
  },
  {
    clauses: [3],
    group,
    title: 'set(sid, session) then get(sid) returns the JSON form of the live Session',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 1, user: { name: 'ada', roles: ['admin'] } });
      await context.set(sid, session);
      await assertStored(context, sid, session, 'get(sid) after set(sid, session)');
      const browserSid = context.sid();
      const browserSession = context.session(browserSid, { n: 2 }, { maxAge: null });
      await context.set(browserSid, browserSession);
      await assertStored(context, browserSid, browserSession, 'get(sid) of a browser-session cookie (expires null)');
    },
  },
  {
    clauses: [3],
    group,
    title: 'load(sid) inflates the stored session into a Session whose cookie.expires is a Date',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 7 });
      await context.set(sid, session);
      const loaded = await new Promise<LiveSession | undefined>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`store.load(sid) did not call back within ${context.callTimeoutMs} ms`)),
          context.callTimeoutMs,
        );
        context.store.load(sid, (error, value) => {
          clearTimeout(timer);
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve(value as LiveSession | undefined);
        });
      });
      assert.ok(loaded, 'load(sid) found no session');
      assert.equal(loaded.n, 7);
      assert.ok(loaded.cookie.expires instanceof Date, 'load(sid) gave a cookie whose expires is not a Date');
      assert.ok(
        Math.abs(loaded.cookie.expires.getTime() - (session.cookie.expires as Date).getTime()) <= context.granularityMs,
        'load(sid) gave another cookie.expires',
      );
    },
  },
  {
    clauses: [4],
    group,
    title: 'set(sid) a second time replaces the whole value: keys absent from it are gone',
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { a: 1, b: { nested: true }, list: [1, 2] }));
      const second = context.session(sid, { a: 2 });
      await context.set(sid, second);
      await assertStored(context, sid, second, 'get(sid) after a second set(sid) without keys b and list');
    },
  },
  {
    clauses: [5],
    group,
    title: 'destroy(sid) makes get(sid) miss, and destroy of an unknown sid succeeds',
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      await context.destroy(sid);
      await assertGone(context, sid, 'get(sid) after destroy(sid)');
      await context.destroy(context.sid());
      await callWithPromise(context.store, 'destroy', [context.sid()], context.callTimeoutMs);
    },
  },
  {
    clauses: [6],
    group,
    title: 'destroy(sid) without a callback neither throws nor rejects unhandled, and destroys',
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const { faults } = await captureProcessFaults(async () => {
        let returned: unknown;
        assert.doesNotThrow(() => {
          returned = context.store.destroy(sid);
        }, 'destroy(sid) without a callback threw synchronously');
        await waitForSettledWithoutHandling(returned, context.callTimeoutMs);
        await pollUntil(async () => (await context.get(sid)) == null, {
          timeoutMs: context.callTimeoutMs,
          message: () => 'destroy(sid) without a callback did not destroy the session',
        });
      });
      assertNoProcessFaults(faults, 'destroy(sid) without a callback');
    },
  },
  {
    clauses: [6],
    group,
    title: 'destroy(sid) without a callback while the backend is down neither throws nor rejects unhandled',
    skipReason: requires.faults,
    timeoutMs: faultCaseTimeoutMs,
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const bound = context.faultTimeoutMs + 5000;
      const { faults } = await captureProcessFaults(
        () =>
          context.withBackendDown(async () => {
            let returned: unknown;
            assert.doesNotThrow(() => {
              returned = context.store.destroy(sid);
            }, 'destroy(sid) without a callback threw synchronously with the backend down');
            // A call with a callback issued just after fails no sooner than the destroy itself.
            await callWithCallback(context.store, 'get', [sid], bound);
            await waitForSettledWithoutHandling(returned, bound);
            await settle(200);
          }),
        200,
      );
      assertNoProcessFaults(faults, 'destroy(sid) without a callback, backend down');
    },
  },
  {
    clauses: [7],
    group,
    title: 'get(sid) returns a plain object with exactly the keys that were set (no _id, id, lastModified, expires)',
    async run(context) {
      for (const data of [{}, { n: 1, user: 'ada' }]) {
        const sid = context.sid();
        const session = context.session(sid, data);
        await context.set(sid, session);
        const got = await context.get(sid);
        assert.ok(got !== null && typeof got === 'object', `get(sid) returned ${inspect(got)}, not an object`);
        assert.ok(!Buffer.isBuffer(got) && !Array.isArray(got), 'get(sid) returned a Buffer or an array');
        const proto = Object.getPrototypeOf(got) as unknown;
        assert.ok(proto === Object.prototype || proto === null, 'get(sid) returned an object that is not plain');
        assert.deepStrictEqual(
          Object.keys(got).sort(),
          Object.keys(JSON.parse(JSON.stringify(session)) as object).sort(),
          'get(sid) returned other keys than were set',
        );
        const cookie = got.cookie as Record<string, unknown>;
        assert.deepStrictEqual(
          Object.keys(cookie).sort(),
          Object.keys(JSON.parse(JSON.stringify(session.cookie)) as object).sort(),
          'get(sid) returned other cookie keys than were set',
        );
        await assertStored(context, sid, session, 'get(sid)');
      }
    },
  },
  {
    clauses: [8],
    group,
    title: 'set(sid, session) leaves the live Session it was given unchanged',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 1, nested: { list: [1, 2] } });
      const before = describeLive(session);
      await context.set(sid, session);
      assert.deepStrictEqual(describeLive(session), before, 'set(sid, session) changed the session it was given');
    },
  },
  {
    clauses: [8],
    group,
    title: 'touch(sid, session) leaves the live Session it was given unchanged',
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const session = context.session(sid, { n: 1, nested: { list: [1, 2] } }, { maxAge: 120_000 });
      const before = describeLive(session);
      await context.touch(sid, session);
      assert.deepStrictEqual(describeLive(session), before, 'touch(sid, session) changed the session it was given');
    },
  },
  {
    clauses: [9],
    group,
    title: 'sids like __proto__, constructor, a:b, a/b, a.b, %, *, ?, [, spaces and non-ASCII are independent keys',
    async run(context) {
      const sessions = new Map(
        context.storable(ODD_SIDS).map((sid, index) => [sid, context.session(sid, { which: index, sid })]),
      );
      await context.setMany([...sessions]);
      for (const [sid, session] of sessions) await assertStored(context, sid, session, `get(${JSON.stringify(sid)})`);
      assert.equal((Object.prototype as Record<string, unknown>).which, undefined, 'a sid changed Object.prototype');
      const destroyed = ['*', '?', '[', 'a*', '__proto__', '%'];
      for (const sid of destroyed) await context.destroy(sid);
      for (const [sid, session] of sessions) {
        if (destroyed.includes(sid)) await assertGone(context, sid, `get(${JSON.stringify(sid)}) after destroying it`);
        else
          await assertStored(
            context,
            sid,
            session,
            `get(${JSON.stringify(sid)}) after destroying ${destroyed.map((s) => JSON.stringify(s)).join(', ')}`,
          );
      }
    },
  },
  {
    clauses: [9],
    group,
    title: 'all(), ids() and length() list odd sids exactly, with no pattern meaning',
    skipReason: requires.anyOf('all', 'ids', 'length'),
    async run(context) {
      const sids = context.storable(ODD_SIDS);
      await context.setMany(sids.map((sid, index) => [sid, context.session(sid, { which: index })]));
      const { capabilities } = context;
      if (capabilities.ids) assertSameIds(asIdList(await context.ids(), 'ids()'), sids, 'ids()');
      if (capabilities.all) {
        const all = asSessionList(await context.all(), 'all()');
        assertSameIds(
          all.map((element) => element.id as string),
          sids,
          'all()',
        );
        for (const element of all)
          assert.equal(
            element.which,
            sids.indexOf(element.id as string),
            `all() paired sid ${JSON.stringify(element.id)} with another session`,
          );
      }
      if (capabilities.length) assert.equal(await context.length(), sids.length, 'length()');
    },
  },
  {
    clauses: [9],
    group,
    title: 'sids the store refuses by design fail set with ERR_SESSION_STORE_INVALID_ARGUMENT and miss on get',
    skipReason: ({ options }) => (options.refusedSids ? null : 'the store refuses no sid by design (no refusedSids)'),
    async run(context) {
      const refused = ODD_SIDS.filter((sid) => context.options.refusedSids!(sid));
      for (const sid of refused) {
        const outcome = await context.call('set', [sid, context.session(sid, { refused: true })]);
        const error = assertCalledBackWithError(outcome, `set(${JSON.stringify(sid)}) of a refused sid`);
        assert.equal(
          (error as { code?: unknown }).code,
          'ERR_SESSION_STORE_INVALID_ARGUMENT',
          `set(${JSON.stringify(sid)}) of a refused sid: error code`,
        );
        assertMiss(await context.get(sid), `get(${JSON.stringify(sid)}) of a refused sid`);
      }
    },
  },
];

function prototypeNames(value: object): string[] {
  const names: string[] = [];
  for (
    let proto = Object.getPrototypeOf(value) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    names.push((proto as { constructor?: { name?: string } }).constructor?.name ?? '?');
  }
  return names;
}

function hasStoreInChain(value: object): boolean {
  return prototypeNames(value).includes('Store');
}
