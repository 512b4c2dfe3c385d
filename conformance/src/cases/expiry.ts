import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { requires, type ConformanceCase } from '../case';
import type { CaseContext } from '../context';
import { assertSessionEquals } from '../compare';
import { expiresAtOf, jsonForm, loadedSession, plainSession } from '../sessions';
import { delay } from '../timing';
import type { StoreUnderTest } from '../types';
import { asIdList, asSessionList, assertGone, assertMiss, assertSameIds, assertStored } from './helpers';

const group = 'expiry';
const DAY_MS = 86_400_000;

/**
 * Checks a session is still there, when the check can tell: a get that completed before the
 * session's expiry must find it, with its data. A get that completed later proves nothing.
 * After a touch the cookie is compared on `expires` only: a store may keep the rest of the
 * cookie it stored (clause 20 allows touch to change the cookie, clause 19 demands `expires`).
 */
async function assertLiveUntil(
  context: CaseContext,
  sid: string,
  session: unknown,
  expiresAt: number,
  what: string,
  store: StoreUnderTest = context.store,
): Promise<void> {
  const got = await context.get(sid, store);
  const completedAt = Date.now();
  if (completedAt >= expiresAt) return;
  if (got === null || got === undefined)
    throw new assert.AssertionError({
      message: `${what}: the session was gone ${expiresAt - completedAt} ms before its expiry`,
    });
  const expected = jsonForm<Record<string, unknown>>(session);
  const gotExpires = expiresAtOf(got);
  assert.ok(
    gotExpires !== null && Math.abs(gotExpires - expiresAtOf(session)!) <= context.granularityMs,
    `${what}: cookie.expires is ${inspect((got.cookie as Record<string, unknown> | undefined)?.expires)}, expected ${new Date(expiresAtOf(session)!).toISOString()}`,
  );
  assertSessionEquals({ ...got, cookie: expected.cookie }, expected, context.granularityMs, what);
}

/** Remaining lifetime of `sid` as the backend holds it, checked against [low, high]. */
async function assertRawTtl(context: CaseContext, sid: string, expiresAt: number, what: string): Promise<void> {
  const rawTtlMs = context.options.inspect?.rawTtlMs;
  if (!rawTtlMs) return;
  const before = Date.now();
  const ttl = await rawTtlMs(context.store, sid);
  const after = Date.now();
  // The store computed the TTL at set time and the backend counts from when it got the command:
  // a tolerance of two granularity steps plus two seconds absorbs that, while units or caps
  // (seconds for ms, a 30-day limit) are far outside it.
  const slack = 2 * context.granularityMs + 2000;
  const low = expiresAt - after - slack;
  const high = expiresAt - before + slack;
  assert.ok(
    typeof ttl === 'number' && Number.isFinite(ttl),
    `${what}: inspect.rawTtlMs returned ${inspect(ttl)}, expected a finite number of ms`,
  );
  assert.ok(
    ttl >= low && ttl <= high,
    `${what}: the backend's TTL is ${ttl} ms, expected between ${low} and ${high} ms`,
  );
}

export const expiryCases: ConformanceCase[] = [
  {
    clauses: [10],
    group,
    title: 'get(sid) misses once cookie.expires has passed, whatever cleanup has or has not run',
    async run(context) {
      // Each instance reads a session of its own: a get that removes the expired record would
      // otherwise make the second instance's miss prove nothing.
      const other = await context.openStore();
      const sid = context.sid();
      const session = context.session(sid, { n: 1 }, { maxAge: context.shortLifetimeMs });
      const otherSid = context.sid();
      const otherSession = context.session(otherSid, { n: 2 }, { maxAge: context.shortLifetimeMs });
      await context.set(sid, session);
      await context.set(otherSid, otherSession);
      await context.waitPastExpiry(Math.max(expiresAtOf(session)!, expiresAtOf(otherSession)!));
      await assertGone(context, sid, 'get(sid) after cookie.expires + granularity');
      await assertGone(
        context,
        otherSid,
        'get(sid) from a second store instance after cookie.expires + granularity',
        other,
      );
    },
  },
  {
    clauses: [11],
    group,
    title: 'set(sid) with cookie.expires already in the past is not returned by a later get(sid)',
    async run(context) {
      const fresh = context.sid();
      await context.set(fresh, context.session(fresh, { n: 1 }, { expires: new Date(Date.now() - 60_000) }));
      await assertGone(context, fresh, 'get(sid) of a session set with a past expiry');
      const replaced = context.sid();
      await context.set(replaced, context.session(replaced, { n: 1 }));
      await context.set(replaced, context.session(replaced, { n: 2 }, { expires: new Date(Date.now() - 1000) }));
      await assertGone(context, replaced, 'get(sid) after set(sid) with a past expiry over a live session');
    },
  },
  {
    clauses: [11],
    group,
    title: 'touch(sid) with cookie.expires already in the past ends the session, as set(sid) does',
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const stale = loadedSession(context.store, sid, await context.get(sid));
      stale.cookie.expires = new Date(Date.now() - 1000);
      await context.touch(sid, stale);
      await assertGone(context, sid, 'get(sid) after touch(sid) with a past expiry');
    },
  },
  {
    clauses: [12],
    group,
    title: 'set(sid) of a plain-JSON session with an ISO-string expires is honoured like a Cookie',
    async run(context) {
      const past = context.sid();
      await context.set(past, plainSession({ n: 1 }, new Date(Date.now() - 60_000), 60_000));
      await assertGone(context, past, 'get(sid) of a plain session whose ISO expires is past');
      const future = context.sid();
      const futureSession = plainSession({ n: 2 }, new Date(Date.now() + 3_600_000), 3_600_000);
      await context.set(future, futureSession);
      await assertStored(
        context,
        future,
        futureSession,
        'get(sid) of a plain session whose ISO expires is an hour ahead',
      );
      const short = context.sid();
      const expiresAt = Date.now() + context.shortLifetimeMs;
      await context.set(short, plainSession({ n: 3 }, new Date(expiresAt), context.shortLifetimeMs));
      await context.waitPastExpiry(expiresAt);
      await assertGone(context, short, 'get(sid) of a plain session after its ISO expires + granularity');
    },
  },
  {
    clauses: [13],
    group,
    title:
      'set(sid) with cookie.expires null, false, missing or an Invalid Date stores the session and get(sid) returns it',
    async run(context) {
      const cases = [
        {
          label: 'expires null (maxAge null)',
          session: (sid: string) => context.session(sid, { n: 1 }, { maxAge: null }),
        },
        { label: 'expires false', session: (sid: string) => context.session(sid, { n: 2 }, { expires: false }) },
        { label: 'no expires key', session: () => plainSession({ n: 3 }, undefined) },
        // express-session's own tests set an Invalid Date and expect the store to keep the
        // session as JSON keeps it: expires null, the default lifetime (clause 42).
        {
          label: 'expires an Invalid Date',
          session: (sid: string) => context.session(sid, { n: 4 }, { expires: new Date(Number.NaN) }),
        },
      ];
      for (const { label, session } of cases) {
        const sid = context.sid();
        const value = session(sid);
        await context.set(sid, value);
        await assertStored(context, sid, value, `get(sid) of a session with ${label}`);
      }
    },
  },
  {
    clauses: [13],
    group,
    title: 'a session without cookie expiry gets the declared default TTL in the backend',
    skipReason: requires.all(requires.inspect('rawTtlMs'), ({ capabilities }) =>
      capabilities.defaultTtlMs === null ? 'capabilities.defaultTtlMs is not declared' : null,
    ),
    async run(context) {
      const sid = context.sid();
      const setAt = Date.now();
      await context.set(sid, context.session(sid, { n: 1 }, { maxAge: null }));
      await assertRawTtl(
        context,
        sid,
        setAt + context.capabilities.defaultTtlMs!,
        'raw TTL of a browser-session cookie',
      );
    },
  },
  {
    clauses: [14],
    group,
    title: 'sessions with different cookie.expires expire independently',
    async run(context) {
      const short = context.sid();
      const shortSession = context.session(short, { n: 1 }, { maxAge: context.shortLifetimeMs });
      const hour = context.sid();
      const hourSession = context.session(hour, { n: 2 }, { maxAge: 3_600_000 });
      const twoHours = context.sid();
      const twoHoursSession = context.session(twoHours, { n: 3 }, { maxAge: 7_200_000 });
      await context.set(short, shortSession);
      await context.set(hour, hourSession);
      await context.set(twoHours, twoHoursSession);
      await assertRawTtl(context, hour, expiresAtOf(hourSession)!, 'raw TTL of a one-hour session');
      await assertRawTtl(context, twoHours, expiresAtOf(twoHoursSession)!, 'raw TTL of a two-hour session');
      await context.waitPastExpiry(expiresAtOf(shortSession)!);
      await assertGone(context, short, 'get(sid) of the short-lived session after its expiry');
      await assertStored(context, hour, hourSession, 'get(sid) of the one-hour session after the short one expired');
      await assertStored(context, twoHours, twoHoursSession, 'get(sid) of the two-hour session');
    },
  },
  {
    clauses: [15],
    group,
    title: 'a remaining lifetime below the granularity rounds up: the session lives until its expiry, then goes',
    async run(context) {
      const g = context.granularityMs;
      const lifetime = g > 1 ? Math.max(1, Math.floor(g / 2)) : 300;
      const sid = context.sid();
      const session = context.session(sid, { n: 1 }, { maxAge: lifetime });
      const expiresAt = expiresAtOf(session)!;
      await context.set(sid, session);
      await assertLiveUntil(
        context,
        sid,
        session,
        expiresAt,
        `get(sid) right after set with a ${lifetime} ms lifetime`,
      );
      await context.waitPastExpiry(expiresAt);
      await assertGone(
        context,
        sid,
        `get(sid) after a ${lifetime} ms lifetime + granularity (a lifetime rounded to 0 must not mean "no expiry")`,
      );
    },
  },
  {
    clauses: [16],
    group,
    title: 'set(sid) with lifetimes of 31, 60 and 400 days keeps the session readable, with the right TTL',
    async run(context) {
      for (const days of [31, 60, 400]) {
        const sid = context.sid();
        const session = context.session(sid, { days }, { maxAge: days * DAY_MS });
        await context.set(sid, session);
        await assertStored(context, sid, session, `get(sid) of a ${days}-day session`);
        await assertRawTtl(context, sid, expiresAtOf(session)!, `raw TTL of a ${days}-day session`);
      }
    },
  },
  {
    clauses: [17],
    group,
    title: 'a session with maxAge 50 ms is gone 50 ms + granularity later',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 1 }, { maxAge: 50 });
      const expiresAt = expiresAtOf(session)!;
      await context.set(sid, session);
      await assertLiveUntil(context, sid, session, expiresAt, 'get(sid) within the 50 ms lifetime');
      await context.waitPastExpiry(expiresAt);
      await assertGone(context, sid, 'get(sid) 50 ms + granularity after set');
    },
  },
  {
    clauses: [18],
    group,
    title: 'touch(sid) with a later expires keeps the session alive past its first expiry, until the new one',
    skipReason: requires.method('touch'),
    async run(context) {
      const lifetime = Math.max(200, 2 * context.granularityMs);
      const sid = context.sid();
      const session = context.session(sid, { n: 1 }, { maxAge: lifetime });
      const firstExpiry = expiresAtOf(session)!;
      await context.set(sid, session);
      const loaded = loadedSession(context.store, sid, await context.get(sid));
      loaded.cookie.maxAge = 4 * lifetime;
      const secondExpiry = expiresAtOf(loaded)!;
      await context.touch(sid, loaded);
      await context.waitPastExpiry(firstExpiry);
      await assertLiveUntil(
        context,
        sid,
        loaded,
        secondExpiry,
        'get(sid) after the first expiry, before the touched one',
      );
      await context.waitPastExpiry(secondExpiry);
      await assertGone(context, sid, 'get(sid) after the touched expiry + granularity');
    },
  },
  {
    clauses: [19],
    group,
    title: 'after touch(sid, session), get(sid).cookie.expires equals the touched expires',
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 1 }, { maxAge: 60_000 });
      await context.set(sid, session);
      await delay(Math.max(20, context.granularityMs + 5));
      const loaded = loadedSession(context.store, sid, await context.get(sid));
      loaded.touch();
      await context.touch(sid, loaded);
      const got = await context.get(sid);
      assert.ok(got, 'get(sid) after touch missed');
      const gotExpires = expiresAtOf(got);
      const touched = expiresAtOf(loaded)!;
      assert.ok(
        gotExpires !== null,
        `get(sid).cookie.expires is ${inspect((got.cookie as Record<string, unknown>)?.expires)}`,
      );
      assert.ok(
        Math.abs(gotExpires - touched) <= context.granularityMs,
        `get(sid).cookie.expires is ${new Date(gotExpires).toISOString()}, the touched expires is ${new Date(touched).toISOString()} (the stored cookie is stale)`,
      );
    },
  },
  {
    clauses: [19, 56],
    group,
    title: 'set(sid) with the cookie loaded after touches past the first expiry keeps the session (no silent logout)',
    skipReason: requires.method('touch'),
    async run(context) {
      // Touches every quarter lifetime: a pause of three quarters would be needed to lose it.
      const lifetime = Math.max(1000, 4 * context.granularityMs);
      const sid = context.sid();
      const session = context.session(sid, { user: 'ada' }, { maxAge: lifetime });
      const firstExpiry = expiresAtOf(session)!;
      await context.set(sid, session);
      // Each round is what express-session does on a request that reads but does not modify.
      while (Date.now() <= firstExpiry + context.granularityMs) {
        await delay(lifetime / 4);
        const stored = await context.get(sid);
        assert.ok(stored, 'the session vanished although every request touched it before it expired');
        const loaded = loadedSession(context.store, sid, stored);
        loaded.touch();
        await context.touch(sid, loaded);
      }
      // Then a route calls req.session.save(): set() with the cookie as loaded.
      const stored = await context.get(sid);
      assert.ok(stored, 'the session vanished although every request touched it before it expired');
      const loaded = loadedSession(context.store, sid, stored);
      loaded.saved = true;
      await context.set(sid, loaded);
      const after = await context.get(sid);
      assert.ok(
        after,
        'set(sid) with the loaded cookie deleted the session: the stored cookie.expires was stale after touch (silent logout)',
      );
      assert.equal(after.user, 'ada');
      assert.equal(after.saved, true);
    },
  },
  {
    clauses: [20],
    group,
    title: 'touch(sid, staleSession) changes only the expiry and cookie: stale data never overwrites stored data',
    skipReason: requires.method('touch'),
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const stale = loadedSession(context.store, sid, await context.get(sid));
      const current = context.session(sid, { n: 2, added: 'by a later request' });
      await context.set(sid, current);
      stale.staleOnly = 'from the touched copy';
      stale.cookie.maxAge = 120_000;
      await context.touch(sid, stale);
      const got = await context.get(sid);
      assert.ok(got, 'get(sid) after touch missed');
      assert.equal(got.n, 2, 'touch(sid, stale) rolled back n');
      assert.equal(
        got.added,
        'by a later request',
        'touch(sid, stale) dropped a key set after the stale copy was loaded',
      );
      assert.ok(!('staleOnly' in got), 'touch(sid, stale) wrote a key of its argument into the stored data');
      const expectedExpires = expiresAtOf(stale)!;
      assert.ok(
        Math.abs((expiresAtOf(got) ?? 0) - expectedExpires) <= context.granularityMs,
        'touch did not update cookie.expires',
      );
    },
  },
  {
    clauses: [21],
    group,
    title: 'touch(sid) of an unknown, destroyed or expired sid does not create it and calls back without error',
    skipReason: requires.method('touch'),
    async run(context) {
      const unknown = context.sid();
      await context.touch(unknown, context.session(unknown, { n: 1 }));
      await assertGone(context, unknown, 'get(sid) after touch of an unknown sid');

      const destroyed = context.sid();
      await context.set(destroyed, context.session(destroyed, { n: 1 }));
      await context.destroy(destroyed);
      await context.touch(destroyed, context.session(destroyed, { n: 1 }));
      await assertGone(context, destroyed, 'get(sid) after touch of a destroyed sid');

      const expired = context.sid();
      const short = context.session(expired, { n: 1 }, { maxAge: context.shortLifetimeMs });
      await context.set(expired, short);
      await context.waitPastExpiry(expiresAtOf(short)!);
      await context.touch(expired, context.session(expired, { n: 1 }, { maxAge: 60_000 }));
      await assertGone(context, expired, 'get(sid) after touch of an expired sid');
    },
  },
  {
    clauses: [22],
    group,
    title:
      'expired sessions are absent from all(), ids(), length() and iterate(), each checked on sessions no other call has read',
    skipReason: requires.anyOf('all', 'ids', 'length'),
    async run(context) {
      // One namespace per method, each with its own expired session: a store that drops expired
      // records lazily while one method reads them (length() purging, say) must not make another
      // method pass that would list them (all() returning them).
      const methods = (['length', 'ids', 'all', 'iterate'] as const).filter((method) => context.capabilities[method]);
      const setups: { method: (typeof methods)[number]; store: StoreUnderTest; short: string; long: string }[] = [];
      let latestExpiry = 0;
      for (const method of methods) {
        const store = await context.openStore(`${context.namespace}_${method}`);
        const short = context.sid();
        const shortSession = context.session(short, { n: 1 }, { maxAge: context.shortLifetimeMs }, store);
        const long = context.sid();
        await context.set(short, shortSession, store);
        await context.set(long, context.session(long, { n: 2 }, { maxAge: 600_000 }, store), store);
        latestExpiry = Math.max(latestExpiry, expiresAtOf(shortSession)!);
        setups.push({ method, store, short, long });
      }
      await context.waitPastExpiry(latestExpiry);
      for (const { method, store, long } of setups) {
        const what = `${method}() after one session of its namespace expired, as the first call to read it`;
        if (method === 'length') assert.equal(await context.length(store), 1, `${what}: it counts the expired session`);
        else if (method === 'ids') assertSameIds(asIdList(await context.ids(store), 'ids()'), [long], what);
        else if (method === 'all')
          assertSameIds(
            asSessionList(await context.all(store), 'all()').map((element) => element.id as string),
            [long],
            what,
          );
        else
          assertSameIds(
            (await context.iterate(store)).map((entry) => entry.sid),
            [long],
            what,
          );
      }
      for (const { store, short } of setups)
        assertMiss(await context.get(short, store), 'get(sid) of the expired session');
    },
  },
];
