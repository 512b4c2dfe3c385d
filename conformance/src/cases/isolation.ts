import assert from 'node:assert/strict';
import type { ConformanceCase } from '../case';
import { objectsIn } from '../compare';
import { expiresAtOf, jsonForm, loadedSession } from '../sessions';
import { assertGone, assertStored } from './helpers';

const group = 'isolation';

export const isolationCases: ConformanceCase[] = [
  {
    clauses: [29],
    group,
    title: 'mutating a session returned by get(sid), nested values included, does not change a later get(sid)',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { user: { name: 'ada', roles: ['admin'] }, count: 1 });
      await context.set(sid, session);
      const got = await context.get(sid);
      assert.ok(got, 'get(sid) missed');
      const user = got.user as { name: string; roles: string[] };
      user.name = 'mallory';
      user.roles.push('root');
      got.count = 99;
      got.extra = true;
      (got.cookie as Record<string, unknown>).path = '/changed';
      await assertStored(context, sid, session, 'get(sid) after mutating an earlier result');
    },
  },
  {
    clauses: [29],
    group,
    title: 'two get(sid) calls return objects that share no references',
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { user: { name: 'ada', roles: ['admin'] }, list: [[1], { a: 1 }] }));
      const [first, second] = await Promise.all([context.get(sid), context.get(sid)]);
      const third = await context.get(sid);
      const seen = objectsIn(first);
      for (const other of [second, third]) {
        const shared = [...objectsIn(other)].filter((object) => seen.has(object));
        assert.equal(shared.length, 0, `two get(sid) results share ${shared.length} object(s)`);
      }
    },
  },
  {
    clauses: [30],
    group,
    title: 'mutating the input right after set(sid, session) was called does not change what was stored',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { user: { name: 'ada', roles: ['admin'] }, count: 1, gone: 'soon' });
      const expected = jsonForm(session);
      const pending = context.set(sid, session);
      // Mutate before the callback: the store must have taken what it was given at the call.
      (session.user as { name: string; roles: string[] }).name = 'mallory';
      (session.user as { roles: string[] }).roles.push('root');
      session.count = 2;
      delete session.gone;
      session.added = true;
      session.cookie.expires = new Date(Date.now() + 999_000);
      await pending;
      (session.user as { name: string }).name = 'eve';
      await assertStored(context, sid, expected, 'get(sid) after mutating the input of set(sid)');
    },
  },
  {
    clauses: [31],
    group,
    title: 'set, touch and destroy on one sid never change another, even when one sid is a prefix of another',
    async run(context) {
      const base = context.sid();
      const neighbours = context.storable([`${base}1`, `${base}:x`, base.slice(0, -1), `${base}*`, `${base} `]);
      const sessions = new Map(neighbours.map((sid, index) => [sid, context.session(sid, { neighbour: index })]));
      await context.setMany([...sessions]);
      await context.set(base, context.session(base, { base: true }));
      await context.set(base, context.session(base, { base: 'again' }));
      if (context.capabilities.touch) {
        const loaded = loadedSession(context.store, base, await context.get(base));
        loaded.cookie.maxAge = 300_000;
        await context.touch(base, loaded);
      }
      await context.destroy(base);
      await assertGone(context, base, 'get(sid) of the destroyed sid');
      for (const [sid, session] of sessions) {
        await assertStored(
          context,
          sid,
          session,
          `get(${JSON.stringify(sid)}) after set, touch and destroy of a neighbouring sid`,
        );
        const stored = await context.get(sid);
        assert.ok(
          Math.abs((expiresAtOf(stored) ?? 0) - expiresAtOf(session)!) <= context.granularityMs,
          "a neighbour's expiry changed",
        );
      }
    },
  },
];
