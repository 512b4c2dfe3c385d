import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { callWithPromise } from '../calls';
import { requires, type ConformanceCase } from '../case';
import { assertSessionEquals } from '../compare';
import type { CaseContext } from '../context';
import { jsonForm, type LiveSession } from '../sessions';
import { SUITE_USER_KEY } from '../users';
import type { StoreUnderTest } from '../types';
import { assertCalledBackWithError, assertGone, assertSameIds, assertStored } from './helpers';

const group = 'sessionsByUser';
const skipReason = requires.sessionsByUser;

/** A user id no other case uses, so that two cases on one namespace never meet. */
function newUser(context: CaseContext, name: string): string {
  return `${name}-${context.sid()}`;
}

/** A live session of `user` (or of nobody when user is null) set under a fresh sid. */
async function setSessionOf(
  context: CaseContext,
  user: string | null,
  lifetimeMs = 600_000,
  store: StoreUnderTest = context.store,
): Promise<[string, LiveSession]> {
  const sid = context.sid();
  const data: Record<string, unknown> = { device: `device ${sid.slice(0, 8)}` };
  if (user !== null) data[SUITE_USER_KEY] = user;
  const session = context.session(sid, data, { maxAge: lifetimeMs }, store);
  await context.set(sid, session, store);
  return [sid, session];
}

/**
 * Two users with sessions and one session of nobody: `aliceCount` sessions of alice, one of bob,
 * one without a user, each `[sid, session]`.
 */
async function populate(context: CaseContext, aliceCount: number) {
  const alice = newUser(context, 'alice');
  const bob = newUser(context, 'bob');
  const aliceSessions: [string, LiveSession][] = [];
  for (let index = 0; index < aliceCount; index += 1) aliceSessions.push(await setSessionOf(context, alice));
  const bobSession = await setSessionOf(context, bob);
  const nobodySession = await setSessionOf(context, null);
  return { alice, bob, aliceSessions, bobSession, nobodySession };
}

/** What userSessions(user) called back, checked to be an array of `{ sid, session }`. */
async function listed(
  context: CaseContext,
  user: string,
  store: StoreUnderTest = context.store,
): Promise<{ sid: string; session: Record<string, unknown> }[]> {
  const value = await context.userSessions(user, store);
  const what = `userSessions(${JSON.stringify(user)})`;
  if (!Array.isArray(value))
    throw new assert.AssertionError({ message: `${what} should call back with an array, got ${inspect(value)}` });
  for (const entry of value) {
    const { sid, session } = (entry ?? {}) as { sid?: unknown; session?: unknown };
    if (typeof sid !== 'string' || typeof session !== 'object' || session === null)
      throw new assert.AssertionError({
        message: `${what}: every element must be { sid, session }, got ${inspect(entry, { depth: 1 })}`,
      });
  }
  return value as { sid: string; session: Record<string, unknown> }[];
}

/** userSessions lists exactly `expected`, and countUserSessions says as many. */
async function assertUserHas(
  context: CaseContext,
  user: string,
  expected: readonly string[],
  what: string,
  store: StoreUnderTest = context.store,
): Promise<void> {
  const entries = await listed(context, user, store);
  assertSameIds(
    entries.map((entry) => entry.sid),
    expected,
    `${what}: userSessions`,
  );
  assert.equal(await context.countUserSessions(user, store), expected.length, `${what}: countUserSessions`);
}

export const sessionsByUserCases: ConformanceCase[] = [
  {
    clauses: [57],
    group,
    title:
      'userSessions(user) lists each session set for that user with its data, countUserSessions(user) counts them, and no other',
    skipReason,
    async run(context) {
      const { alice, bob, aliceSessions, bobSession } = await populate(context, 2);
      const [[a1, a1Session], [a2]] = aliceSessions as [[string, LiveSession], [string, LiveSession]];
      const [b1] = bobSession;
      await assertUserHas(context, alice, [a1, a2], 'alice after two sets');
      await assertUserHas(context, bob, [b1], 'bob after one set');
      await assertUserHas(context, newUser(context, 'nobody'), [], 'a user without sessions');
      const entry = (await listed(context, alice)).find((candidate) => candidate.sid === a1);
      assertSessionEquals(entry?.session, jsonForm(a1Session), context.granularityMs, `userSessions entry ${a1}`);
      // Another instance on the same namespace sees the same index; another namespace sees none of it.
      await assertUserHas(context, alice, [a1, a2], 'alice from a second store instance', await context.openStore());
      await assertUserHas(
        context,
        alice,
        [],
        'alice on another namespace',
        await context.openStore(`${context.namespace}_b`),
      );
    },
  },
  {
    clauses: [58],
    group,
    title: 'userSessions(user) and countUserSessions(user) never include a session past its expiry',
    skipReason,
    async run(context) {
      const alice = newUser(context, 'alice');
      const [short, shortSession] = await setSessionOf(context, alice, context.shortLifetimeMs);
      const [long] = await setSessionOf(context, alice);
      // Bob's sessions are first read by countUserSessions, alice's by userSessions: a store
      // that drops expired records lazily while one method reads them must not make the other pass.
      const bob = newUser(context, 'bob');
      const [bobShort, bobShortSession] = await setSessionOf(context, bob, context.shortLifetimeMs);
      const [bobLong] = await setSessionOf(context, bob);
      await context.waitPastExpiry(
        Math.max(shortSession.cookie.expires!.getTime(), bobShortSession.cookie.expires!.getTime()),
      );
      assert.equal(
        await context.countUserSessions(bob),
        1,
        'countUserSessions, as the first call to read the user after one of their sessions expired',
      );
      await assertUserHas(context, alice, [long], 'after the short session expired');
      await assertUserHas(context, bob, [bobLong], 'bob after his short session expired');
      await assertGone(context, bobShort, 'the expired session of bob');
      await assertGone(context, short, 'the expired session');
      const expired = context.sid();
      await context.set(
        expired,
        context.session(expired, { [SUITE_USER_KEY]: alice }, { expires: new Date(Date.now() - 1000) }),
      );
      await assertUserHas(context, alice, [long], 'after a set with an expiry in the past');
    },
  },
  {
    clauses: [59],
    group,
    title: 'destroy(sid) removes the session from its user’s list and count, on every instance',
    skipReason,
    async run(context) {
      const alice = newUser(context, 'alice');
      const [a1] = await setSessionOf(context, alice);
      const [a2] = await setSessionOf(context, alice);
      const [a3] = await setSessionOf(context, alice);
      await context.destroy(a1);
      await assertUserHas(context, alice, [a2, a3], 'after destroy(a1)');
      const other = await context.openStore();
      await context.destroy(a2, other);
      await assertUserHas(context, alice, [a3], 'after destroy(a2) on another instance');
    },
  },
  {
    clauses: [60],
    group,
    title: 'a session whose user changes (logout, login as another, regenerate) is listed under its new user only',
    skipReason,
    async run(context) {
      const alice = newUser(context, 'alice');
      const bob = newUser(context, 'bob');
      const [sid, session] = await setSessionOf(context, alice);
      // Logout: the same sid saved without a user belongs to nobody.
      delete session[SUITE_USER_KEY];
      await context.set(sid, session);
      await assertUserHas(context, alice, [], 'alice after logout');
      // Login as someone else on the same sid.
      session[SUITE_USER_KEY] = bob;
      await context.set(sid, session);
      await assertUserHas(context, bob, [sid], 'bob after login on the same sid');
      await context.touch(sid, session);
      await assertUserHas(context, alice, [], 'alice after a touch of bob’s session');
      // Straight from one user to another, without a logout between.
      session[SUITE_USER_KEY] = alice;
      await context.set(sid, session);
      await assertUserHas(context, alice, [sid], 'alice after the user changed back');
      await assertUserHas(context, bob, [], 'bob after the user changed back');
      // regenerate(): express-session destroys the old sid, then saves the new one.
      const renewed = context.sid();
      await context.destroy(sid);
      await context.set(renewed, context.session(renewed, { [SUITE_USER_KEY]: alice }));
      await assertUserHas(context, alice, [renewed], 'alice after regenerate');
    },
  },
  {
    clauses: [61],
    group,
    title:
      'destroyUserSessions(user, { except }) destroys that user’s sessions but except, gives their number, and nobody else’s',
    skipReason,
    async run(context) {
      const { alice, bob, aliceSessions, bobSession, nobodySession } = await populate(context, 3);
      const [[keep, keepSession], [a2], [a3]] = aliceSessions as [
        [string, LiveSession],
        [string, LiveSession],
        [string, LiveSession],
      ];
      const [b1, b1Session] = bobSession;
      const [anonymous, anonymousSession] = nobodySession;
      const elsewhere = await context.openStore(`${context.namespace}_b`);
      const [far, farSession] = await setSessionOf(context, alice, 600_000, elsewhere);

      assert.equal(await context.destroyUserSessions(alice, keep), 2, 'destroyUserSessions(alice, { except }) count');
      await assertGone(context, a2, 'a destroyed session of alice');
      await assertGone(context, a3, 'a destroyed session of alice');
      await assertStored(context, keep, keepSession, 'the session kept by except');
      await assertStored(context, b1, b1Session, 'bob’s session');
      await assertStored(context, anonymous, anonymousSession, 'a session without a user');
      await assertStored(context, far, farSession, 'alice’s session on another namespace', elsewhere);
      await assertUserHas(context, alice, [keep], 'alice after destroyUserSessions with except');
      await assertUserHas(context, bob, [b1], 'bob after destroyUserSessions(alice)');

      assert.equal(await context.destroyUserSessions(alice), 1, 'destroyUserSessions(alice) count');
      await assertGone(context, keep, 'alice’s last session');
      await assertUserHas(context, alice, [], 'alice after destroyUserSessions without except');
      assert.equal(await context.destroyUserSessions(alice), 0, 'destroyUserSessions of a user without sessions');
    },
  },
  {
    clauses: [62],
    group,
    title:
      'the by-user methods answer by callback and promise alike, and a user id that is not a non-empty string is an error',
    skipReason,
    async run(context) {
      const alice = newUser(context, 'alice');
      const [a1] = await setSessionOf(context, alice);
      const timeout = context.callTimeoutMs;
      const promised = await callWithPromise<{ sid: string }[]>(context.store, 'userSessions', [alice], timeout);
      assertSameIds(
        promised.map((entry) => entry.sid),
        [a1],
        'userSessions without a callback',
      );
      assert.equal(await callWithPromise(context.store, 'countUserSessions', [alice], timeout), 1);
      for (const bad of ['', 42, null, undefined]) {
        for (const method of ['userSessions', 'countUserSessions', 'destroyUserSessions'] as const) {
          const outcome = await context.call(method, [bad]);
          assertCalledBackWithError(outcome, `${method}(${inspect(bad)})`);
        }
      }
      await assertUserHas(context, alice, [a1], 'alice after the refused calls');
      assert.equal(await callWithPromise(context.store, 'destroyUserSessions', [alice, { except: a1 }], timeout), 0);
      assert.equal(await callWithPromise(context.store, 'destroyUserSessions', [alice], timeout), 1);
    },
  },
];
