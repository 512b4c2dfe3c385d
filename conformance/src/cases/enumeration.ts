import assert from 'node:assert/strict';
import { callWithPromise } from '../calls';
import { OPTIONAL_METHODS, type OptionalMethod } from '../capabilities';
import { requires, type ConformanceCase } from '../case';
import { assertSessionEquals, objectsIn } from '../compare';
import type { CaseContext } from '../context';
import { expiresAtOf, jsonForm, type LiveSession } from '../sessions';
import { withDeadline } from '../timing';
import type { StoreUnderTest } from '../types';
import { asIdList, asSessionList, assertGone, assertSameIds, assertStored, withoutId } from './helpers';
import { ODD_SIDS } from './required-methods';

const group = 'enumeration';
const BY_USER_METHODS = ['userSessions', 'countUserSessions', 'destroyUserSessions'] as const;
const MANY = 300;

async function setSessions(
  context: CaseContext,
  count: number,
  store: StoreUnderTest = context.store,
  label = 'n',
): Promise<Map<string, LiveSession>> {
  const sessions = new Map<string, LiveSession>();
  for (let index = 0; index < count; index += 1) {
    const sid = context.sid();
    sessions.set(sid, context.session(sid, { [label]: index, nested: { index } }, { maxAge: 600_000 }, store));
  }
  await context.setMany([...sessions], store);
  return sessions;
}

/** What the listing methods a store supports say about its namespace. */
async function listing(
  context: CaseContext,
  store: StoreUnderTest,
): Promise<{ all?: string[]; ids?: string[]; length?: number }> {
  const { capabilities } = context;
  return {
    all: capabilities.all
      ? asSessionList(await context.all(store), 'all()').map((element) => element.id as string)
      : undefined,
    ids: capabilities.ids ? asIdList(await context.ids(store), 'ids()') : undefined,
    length: capabilities.length ? ((await context.length(store)) as number) : undefined,
  };
}

function assertListing(
  found: { all?: string[]; ids?: string[]; length?: number },
  expected: readonly string[],
  what: string,
): void {
  if (found.all) assertSameIds(found.all, expected, `${what}: all()`);
  if (found.ids) assertSameIds(found.ids, expected, `${what}: ids()`);
  if (found.length !== undefined) assert.equal(found.length, expected.length, `${what}: length()`);
}

export const enumerationCases: ConformanceCase[] = [
  {
    clauses: [23],
    group,
    title: 'all() returns every live session once, as an array of deep copies carrying their sid in id',
    skipReason: requires.method('all'),
    async run(context) {
      const sessions = await setSessions(context, 3);
      const all = asSessionList(await context.all(), 'all()');
      assertSameIds(
        all.map((element) => element.id as string),
        sessions.keys(),
        'all()',
      );
      for (const element of all) {
        assertSessionEquals(
          withoutId(element),
          jsonForm(sessions.get(element.id as string)),
          context.granularityMs,
          `all() element ${String(element.id)} without id`,
        );
      }
      const shared = [...objectsIn(all[0])].filter((object) => objectsIn(all[1]).has(object));
      assert.equal(shared.length, 0, 'two elements of all() share objects');
      const first = all[0]!;
      (first.nested as Record<string, unknown>).index = 'changed';
      first.added = true;
      await assertStored(
        context,
        first.id as string,
        sessions.get(first.id as string),
        'get(sid) after mutating an element of all()',
      );
      const again = asSessionList(await context.all(), 'all()');
      assert.equal(
        again.some((element) => objectsIn(all).has(element) || objectsIn(all).has(element.cookie as object)),
        false,
        'a second all() returned objects of the first one',
      );
    },
  },
  {
    clauses: [23, 27],
    group,
    title: `all() and ids() over ${MANY} sessions list each exactly once`,
    skipReason: requires.anyOf('all', 'ids'),
    async run(context) {
      const sessions = await setSessions(context, MANY);
      const found = await listing(context, context.store);
      assertListing({ all: found.all, ids: found.ids }, [...sessions.keys()], `${MANY} sessions`);
    },
  },
  {
    clauses: [24],
    group,
    title: 'length() is a non-negative integer equal to the number of live sessions',
    skipReason: requires.method('length'),
    async run(context) {
      const check = async (expected: number, when: string) => {
        const length = await context.length();
        assert.ok(
          Number.isInteger(length) && (length as number) >= 0,
          `length() ${when} is ${String(length)}, not a non-negative integer`,
        );
        assert.equal(length, expected, `length() ${when}`);
      };
      await check(0, 'of an empty namespace');
      const sessions = await setSessions(context, 3);
      await check(3, 'after three set()s');
      const [first, second] = [...sessions.keys()];
      await context.set(first!, context.session(first!, { again: true }));
      await check(3, 'after set() of an existing sid');
      await context.destroy(second!);
      await check(2, 'after one destroy()');
    },
  },
  {
    clauses: [25],
    group,
    title: 'clear() empties the namespace: length() is 0 and every earlier sid misses',
    skipReason: requires.method('clear'),
    async run(context) {
      const first = await setSessions(context, 3);
      await context.clear();
      if (context.capabilities.length) assert.equal(await context.length(), 0, 'length() after clear()');
      for (const sid of first.keys()) await assertGone(context, sid, 'get(sid) after clear()');
      const second = await setSessions(context, 2);
      await callWithPromise(context.store, 'clear', [], context.callTimeoutMs);
      for (const sid of second.keys()) await assertGone(context, sid, 'get(sid) after clear() as a promise');
    },
  },
  {
    clauses: [26],
    group,
    title: 'stores on namespaces A and A_b keep separate sessions under the same sids',
    async run(context) {
      const other = await context.openStore(`${context.namespace}_b`);
      const sid = context.sid();
      const mine = context.session(sid, { owner: 'A' });
      const theirs = context.session(sid, { owner: 'B' }, { maxAge: 600_000 }, other);
      await context.set(sid, mine);
      await context.set(sid, theirs, other);
      await assertStored(context, sid, mine, 'get(sid) on namespace A');
      await assertStored(context, sid, theirs, 'get(sid) on namespace A_b', other);
      await context.destroy(sid);
      await assertGone(context, sid, 'get(sid) on namespace A after destroy there');
      await assertStored(context, sid, theirs, 'get(sid) on namespace A_b after destroy on A', other);
    },
  },
  {
    clauses: [26],
    group,
    title: "a second store on the same namespace sees the first store's sessions",
    async run(context) {
      const twin = await context.openStore(context.namespace);
      const sid = context.sid();
      const session = context.session(sid, { n: 1 });
      await context.set(sid, session);
      await assertStored(context, sid, session, 'get(sid) through a second store on the same namespace', twin);
      await context.destroy(sid, twin);
      await assertGone(context, sid, 'get(sid) after destroy through the second store');
    },
  },
  {
    clauses: [26],
    group,
    title: "all(), ids() and length() cover only the store's own namespace",
    skipReason: requires.anyOf('all', 'ids', 'length'),
    async run(context) {
      const prefixed = await context.openStore(`${context.namespace}_b`);
      const unrelated = await context.openStore(`x${context.namespace}`);
      const mine = await setSessions(context, 3);
      const starSid = '*';
      await context.set(starSid, context.session(starSid, { owner: 'A' }));
      const theirs = await setSessions(context, 2, prefixed);
      await setSessions(context, 2, unrelated);
      assertListing(await listing(context, context.store), [...mine.keys(), starSid], 'namespace A');
      assertListing(await listing(context, prefixed), [...theirs.keys()], 'namespace A_b');
    },
  },
  {
    clauses: [26],
    group,
    title: 'clear() on one namespace leaves the sessions of other namespaces',
    skipReason: requires.method('clear'),
    async run(context) {
      const prefixed = await context.openStore(`${context.namespace}_b`);
      const unrelated = await context.openStore(`x${context.namespace}`);
      const theirs = await setSessions(context, 2, prefixed);
      const others = await setSessions(context, 2, unrelated);
      for (const sid of context.storable(ODD_SIDS.slice(0, 12)))
        await context.set(sid, context.session(sid, { owner: 'B' }, { maxAge: 600_000 }, prefixed), prefixed);
      await setSessions(context, 3);
      await context.clear();
      for (const [sid, session] of theirs)
        await assertStored(context, sid, session, 'namespace A_b after clear() on A', prefixed);
      for (const [sid, session] of others)
        await assertStored(context, sid, session, 'an unrelated namespace after clear() on A', unrelated);
      const mine = await setSessions(context, 2);
      await context.clear(prefixed);
      for (const [sid, session] of mine)
        await assertStored(
          context,
          sid,
          session,
          'namespace A after clear() on A_b, which holds sids like * and ?',
          context.store,
        );
    },
  },
  {
    clauses: [27],
    group,
    title: `iterate() yields each of ${MANY} live sessions exactly once as { sid, session }`,
    skipReason: requires.method('iterate'),
    async run(context) {
      const expiring = context.sid();
      const expiringSession = context.session(expiring, { n: -1 }, { maxAge: context.shortLifetimeMs });
      await context.set(expiring, expiringSession);
      const sessions = await setSessions(context, MANY);
      await context.waitPastExpiry(expiresAtOf(expiringSession)!);
      const iterable = context.store.iterate!();
      assert.equal(typeof iterable[Symbol.asyncIterator], 'function', 'iterate() did not return an async iterable');
      const entries = await withDeadline(context.iterate(), 60_000, () => 'iterate() did not finish within 60 s');
      assertSameIds(
        entries.map((entry) => entry.sid),
        sessions.keys(),
        'iterate()',
      );
      for (const { sid, session } of entries)
        assertSessionEquals(session, jsonForm(sessions.get(sid)), context.granularityMs, `iterate() entry ${sid}`);
    },
  },
  {
    clauses: [27],
    group,
    title: 'iterate() stops cleanly when the consumer breaks after the first session',
    skipReason: requires.method('iterate'),
    async run(context) {
      await setSessions(context, 5);
      const first = await withDeadline(
        (async () => {
          for await (const entry of context.store.iterate!()) return entry;
          return undefined;
        })(),
        context.callTimeoutMs,
        () => `iterate() with an early break did not finish within ${context.callTimeoutMs} ms`,
      );
      assert.ok(first && typeof first.sid === 'string', 'iterate() yielded nothing over five sessions');
    },
  },
  {
    clauses: [28],
    group,
    title: 'methods the manifest marks unsupported are absent, and supported ones are functions',
    async run(context) {
      // Sessions by user (clauses 57-62) are one capability for three methods.
      const declared: [keyof typeof context.capabilities, string][] = [
        ...OPTIONAL_METHODS.map((method): [OptionalMethod, string] => [method, method]),
        ...BY_USER_METHODS.map((method): ['sessionsByUser', string] => ['sessionsByUser', method]),
      ];
      for (const [capability, method] of declared) {
        const present = typeof (context.store as unknown as Record<string, unknown>)[method] === 'function';
        if (context.capabilities[capability])
          assert.ok(present, `capabilities.${capability} is true but store.${method} is not a function`);
        else
          assert.ok(
            !present,
            `capabilities.${capability} is false but store.${method} is a function: unsupported methods must be absent, not stubs`,
          );
      }
    },
  },
];
