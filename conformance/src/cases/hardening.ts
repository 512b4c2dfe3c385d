import assert from 'node:assert/strict';
import { callWithCallback, type CallbackMethod, type CallbackOutcome } from '../calls';
import { faultCaseTimeoutMs, requires, type ConformanceCase } from '../case';
import { captureProcessFaults } from '../process-faults';
import type { LiveSession } from '../sessions';
import { pollUntil, settle } from '../timing';
import {
  assertCalledBackWithError,
  assertGone,
  assertNoProcessFaults,
  assertNoSecrets,
  assertStored,
  circularSession,
} from './helpers';

/**
 * Clauses 63-67: what no app should have to think about. A store that breaks one ends the
 * process, loses a session in silence, mixes up two users' sessions, or writes credentials and
 * user data to logs.
 */
const group = 'hardening';

/** The events a store emits on its own; the suite's listeners on them throw in clause 63. */
const LISTENED_EVENTS = ['connect', 'disconnect', 'warning'] as const;

/** The last instant a four-digit ISO 8601 year names: the latest expiry every store must keep (clause 64). */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const hardeningCases: ConformanceCase[] = [
  {
    clauses: [63],
    group,
    title:
      'connect, disconnect and warning listeners that throw end nothing: no uncaught exception, and the store works again after an outage',
    skipReason: requires.faults,
    timeoutMs: faultCaseTimeoutMs,
    async run(context) {
      const heard: string[] = [];
      for (const event of LISTENED_EVENTS) {
        context.store.on(event, () => {
          heard.push(event);
          throw new Error(`a ${event} listener that throws (the suite's, on purpose)`);
        });
      }
      const sid = context.sid();
      const before = context.session(sid, { version: 1 });
      await context.set(sid, before);
      const { faults } = await captureProcessFaults(async () => {
        const failed = await context.withBackendDown(async () =>
          callWithCallback(context.store, 'get', [sid], context.faultTimeoutMs + 2000),
        );
        assert.ok(failed.error, `${failed.label} succeeded with the backend down`);
        // The store still works, and still reports recovery, after its listeners threw.
        const after = context.session(context.sid(), { n: 2 });
        await context.set(after.id, after);
        await assertStored(context, after.id, after, 'get(sid) after the backend came back');
        if (heard.includes('disconnect'))
          await pollUntil(() => heard.lastIndexOf('connect') > heard.lastIndexOf('disconnect'), {
            timeoutMs: context.recoveryTimeoutMs,
            message: () => `no connect after the disconnect, once a listener threw (heard: ${heard.join(', ')})`,
          });
      }, 200);
      assertNoProcessFaults(faults, 'listeners that throw, through an outage and its recovery');
      // A backend that keeps nothing across a restart (capabilities.persistent false) lost it.
      if (context.capabilities.persistent)
        await assertStored(context, sid, before, 'get(sid) of the session set before the outage');
    },
  },
  {
    clauses: [64],
    group,
    title:
      'set(sid) and touch(sid) with a cookie.expires after 9999-12-31T23:59:59.999Z are refused with an Error or kept readable: never acknowledged and lost',
    async run(context) {
      const sid = context.sid();
      // What the store holds now: its data and expiry change only with a call that succeeded.
      let data: Record<string, unknown> = { version: 1 };
      let current = context.session(sid, data);
      await context.set(sid, current);
      for (const [index, expires] of [
        new Date(LATEST_EXPIRY + 1),
        new Date(Date.UTC(20_000, 0, 1)),
        new Date(8.64e15),
      ].entries()) {
        const farData = { version: index + 2 };
        const far = context.session(sid, farData, { expires });
        const what = `cookie.expires ${expires.toISOString()}`;
        const set = await context.call('set', [sid, far]);
        if (!set.error) [data, current] = [farData, far];
        await assertStored(
          context,
          sid,
          current,
          `get(sid) after set(sid) with ${what} ${set.error ? 'was refused' : 'succeeded'}`,
        );
        if (!context.capabilities.touch) continue;
        const touched = context.session(sid, data, { expires });
        const touch = await context.call('touch', [sid, touched]);
        if (!touch.error) current = touched;
        await assertStored(
          context,
          sid,
          current,
          `get(sid) after touch(sid) with ${what} ${touch.error ? 'was refused' : 'succeeded'}`,
        );
      }
      const latest = context.sid();
      const latestSession = context.session(latest, { n: 3 }, { expires: new Date(LATEST_EXPIRY) });
      await context.set(latest, latestSession);
      await assertStored(context, latest, latestSession, 'get(sid) of a session expiring at 9999-12-31T23:59:59.999Z');
    },
  },
  {
    clauses: [65],
    group,
    title:
      'sids that differ only in lone surrogates (all U+FFFD in UTF-8) address distinct records, or are refused: never another sid’s session',
    async run(context) {
      const base = context.sid();
      // Well-formed, so it must be stored: the sid the others collide with on a UTF-8 backend.
      const replacement = `${base}\uFFFD`;
      const lone = [`${base}\uD800`, `${base}\uDC00`, `${base}\uDBFF`];
      const replacementSession = context.session(replacement, { which: 'U+FFFD' });
      await context.set(replacement, replacementSession);
      const accepted = new Map<string, LiveSession>();
      for (const [index, sid] of lone.entries()) {
        const session = context.session(sid, { which: index });
        const outcome = await context.call('set', [sid, session]);
        if (!outcome.error) accepted.set(sid, session);
      }
      await assertStored(
        context,
        replacement,
        replacementSession,
        'get(sid) of the U+FFFD sid after sets of lone-surrogate sids',
      );
      for (const sid of lone) {
        const what = `get(${JSON.stringify(sid)})`;
        const session = accepted.get(sid);
        if (session) await assertStored(context, sid, session, `${what} after its set succeeded`);
        else await assertGone(context, sid, `${what} after its set was refused`);
      }
      for (const sid of lone) await context.destroy(sid);
      await assertStored(
        context,
        replacement,
        replacementSession,
        'get(sid) of the U+FFFD sid after destroying the others',
      );
    },
  },
  {
    clauses: [66],
    group,
    title:
      'errors for bad input and for a closed store carry neither the sid nor the session contents, in any property',
    async run(context) {
      const sid = context.sid();
      const marker = `contents-${context.sid()}`;
      const secrets = [sid, marker];
      const withMarker = (extra: Record<string, unknown> = {}) => context.session(sid, { marker, ...extra });
      const bigint = withMarker({ big: 10n });
      const circular = circularSession(context, sid);
      circular.marker = marker;
      const badExpiry = { cookie: { originalMaxAge: null, expires: `not a date ${marker}` }, marker };
      const calls: [CallbackMethod, unknown[]][] = [
        ['set', [sid, bigint]],
        ['set', [sid, circular]],
        ['set', [sid, badExpiry]],
      ];
      if (context.capabilities.touch) calls.push(['touch', [sid, bigint]], ['touch', [sid, badExpiry]]);
      for (const [method, args] of calls) {
        const outcome = await context.call(method, args);
        if (outcome.error) assertNoSecrets(outcome.error, secrets, `the error of ${outcome.label} with bad input`);
      }
      const closed = await context.openStore();
      await context.closeStoreNow(closed);
      const afterClose: [CallbackMethod, unknown[]][] = [
        ['get', [sid]],
        ['set', [sid, withMarker()]],
        ['destroy', [sid]],
      ];
      if (context.capabilities.touch) afterClose.push(['touch', [sid, withMarker()]]);
      for (const [method, args] of afterClose) {
        const outcome = await context.call(method, args, closed);
        if (outcome.error) assertNoSecrets(outcome.error, secrets, `the error of ${outcome.label} on a closed store`);
      }
    },
  },
  {
    clauses: [66],
    group,
    title:
      'errors and events while the backend is down carry neither the sid nor the session contents, in any property',
    skipReason: requires.faults,
    timeoutMs: faultCaseTimeoutMs,
    async run(context) {
      const events: { event: string; args: unknown[] }[] = [];
      for (const event of [...LISTENED_EVENTS, 'decodeError', 'pruneError'])
        context.store.on(event, (...args: unknown[]) => events.push({ event, args }));
      const sid = context.sid();
      const marker = `contents-${context.sid()}`;
      const secrets = [sid, marker];
      await context.set(sid, context.session(sid, { marker }));
      const outcomes = await context.withBackendDown(async () => {
        const calls: [CallbackMethod, unknown[]][] = [
          ['get', [sid]],
          ['set', [sid, context.session(sid, { marker, n: 2 })]],
          ['destroy', [sid]],
        ];
        if (context.capabilities.touch) calls.push(['touch', [sid, context.session(sid, { marker })]]);
        const results: CallbackOutcome<unknown>[] = [];
        for (const [method, args] of calls)
          results.push(await callWithCallback(context.store, method, args, context.faultTimeoutMs + 2000));
        return results;
      });
      for (const outcome of outcomes)
        if (outcome.error)
          assertNoSecrets(outcome.error, secrets, `the error of ${outcome.label} with the backend down`);
      await settle(50);
      for (const { event, args } of events) assertNoSecrets(args, secrets, `the "${event}" event`);
    },
  },
  {
    clauses: [67],
    group,
    title:
      'set(sid) of a session that is not a plain object (null, a string, a number, a boolean, an array) calls back with an Error and keeps the stored session',
    async run(context) {
      const sid = context.sid();
      const before = context.session(sid, { version: 1 });
      await context.set(sid, before);
      for (const [label, value] of [
        ['null', null],
        ['a string', 'a session'],
        ['a number', 42],
        ['a boolean', true],
        ['an array', [{ cookie: { maxAge: 60_000 } }]],
      ] as const) {
        // get gives a plain object (clause 7): a store that says yes has stored what it cannot give back.
        assertCalledBackWithError(await context.call('set', [sid, value]), `set(sid, ${label})`);
        await assertStored(context, sid, before, `get(sid) after set(sid, ${label}) was refused`);
      }
    },
  },
];
