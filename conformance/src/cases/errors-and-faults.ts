import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  callWithCallback,
  callWithPromise,
  describeError,
  methodOf,
  type CallbackMethod,
  type CallbackOutcome,
} from '../calls';
import { faultCaseTimeoutMs, requires, type ConformanceCase } from '../case';
import { assertSessionEquals } from '../compare';
import type { CaseContext } from '../context';
import { captureProcessFaults } from '../process-faults';
import { jsonForm } from '../sessions';
import { pollUntil, settle, withDeadline } from '../timing';
import type { StoreUnderTest } from '../types';
import { assertCalledBackWithError, assertMiss, assertNoProcessFaults, assertStored, circularSession } from './helpers';

const group = 'errorsAndFaults';

/** Names a store's errors may use: its class and the classes it extends, minus the generic ones. */
export function storeNames(store: StoreUnderTest): string[] {
  const generic = new Set(['Object', 'EventEmitter', 'Store', 'Function', '']);
  const names: string[] = [];
  for (
    let proto = Object.getPrototypeOf(store) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? '';
    if (!generic.has(name)) names.push(name);
  }
  return names;
}

/** Clause 54: the message names the store and the operation. */
export function assertErrorNamesStoreAndOperation(
  error: Error,
  store: StoreUnderTest,
  operation: string,
  what: string,
): void {
  const names = storeNames(store);
  assert.ok(
    names.some((name) => error.message.includes(name)),
    `${what}: the error message ${JSON.stringify(error.message)} does not name the store (${names.join(' or ') || 'no class name found'})`,
  );
  assert.ok(
    new RegExp(`\\b${operation}\\b`).test(error.message),
    `${what}: the error message ${JSON.stringify(error.message)} does not name the operation "${operation}"`,
  );
}

function assertNotEnoent(error: unknown, what: string): void {
  const code = (error as { code?: unknown } | null)?.code;
  assert.notEqual(
    code,
    'ENOENT',
    `${what}: the error has code ENOENT, which express-session reads as "session not found": ${describeError(error)}`,
  );
}

/** Every callback method the store has, with arguments that reach the backend. */
function backendCalls(context: CaseContext, sid: string): [CallbackMethod, unknown[]][] {
  const calls: [CallbackMethod, unknown[]][] = [
    ['get', [sid]],
    ['set', [sid, context.session(sid, { n: 2 })]],
    ['destroy', [sid]],
  ];
  if (context.capabilities.touch) calls.push(['touch', [sid, context.session(sid, { n: 2 })]]);
  for (const method of ['all', 'ids', 'length', 'clear'] as const)
    if (context.capabilities[method]) calls.push([method, []]);
  return calls;
}

/** Calls `method` with a callback that throws; counts the calls, and what escaped to the process. */
async function callWithThrowingCallback(
  context: CaseContext,
  method: CallbackMethod,
  args: unknown[],
): Promise<{ count: number; escaped: unknown[] }> {
  const marker = new Error(`conformance: thrown on purpose by the callback of ${method}()`);
  let count = 0;
  const { faults } = await captureProcessFaults(async () => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`store.${method}() did not call back within ${context.callTimeoutMs} ms`)),
        context.callTimeoutMs,
      );
      const callback = () => {
        count += 1;
        clearTimeout(timer);
        resolve();
        throw marker;
      };
      try {
        methodOf(context.store, method).call(context.store, ...args, callback);
      } catch (error) {
        // A store that calls back synchronously lets the throw out of the call (clause 52's business).
        if (error !== marker) reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // Give a second call every chance to happen: later calls on the same store, then a pause.
    await context.call('get', [context.sid()]);
    await settle(50);
  });
  return { count, escaped: faults.map((fault) => fault.error).filter((error) => error !== marker) };
}

export const errorsAndFaultsCases: ConformanceCase[] = [
  {
    clauses: [32, 35, 54],
    group,
    title:
      'with the backend down, every method calls back within faultTimeoutMs with a non-ENOENT Error naming the store and operation',
    skipReason: requires.faults,
    timeoutMs: faultCaseTimeoutMs,
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const bound = context.faultTimeoutMs + 2000;
      // Watched from the outage to the recovery: an 'error' event on reconnect counts too.
      const { value: outcomes, faults } = await captureProcessFaults(() =>
        context.withBackendDown(async () => {
          const calls = backendCalls(context, sid).map(async ([method, args]) => ({
            method,
            outcome: await callWithCallback(context.store, method, args, bound),
          }));
          const iterated = context.capabilities.iterate ? [iterateWhileDown(context.store, bound)] : [];
          const [results, iterateErrors] = await Promise.all([Promise.all(calls), Promise.all(iterated)]);
          await settle(50);
          return { results, iterateErrors };
        }),
      );
      assertNoProcessFaults(faults, 'calls with the backend down, and its recovery');
      for (const { method, outcome } of outcomes.results) {
        const error = assertCalledBackWithError(outcome as CallbackOutcome<unknown>, 'backend down');
        assert.equal(
          outcome.callCount(),
          1,
          `${outcome.label} called back ${outcome.callCount()} times with the backend down`,
        );
        assertNotEnoent(error, `${outcome.label} with the backend down`);
        assertErrorNamesStoreAndOperation(error, context.store, method, `${outcome.label} with the backend down`);
      }
      for (const error of outcomes.iterateErrors) {
        assert.ok(
          error instanceof Error,
          `iterate() with the backend down should reject with an Error, got ${inspect(error)}`,
        );
        assertNotEnoent(error, 'iterate() with the backend down');
        assertErrorNamesStoreAndOperation(error, context.store, 'iterate', 'iterate() with the backend down');
      }
    },
  },
  {
    clauses: [33],
    group,
    title:
      'no method throws synchronously on bad arguments (non-string sids, missing or odd sessions), with or without a callback',
    async run(context) {
      const sid = context.sid();
      const session = context.session(sid, { n: 1 });
      const calls: [CallbackMethod, unknown[]][] = [
        ...[undefined, null, 42, {}, ['a']].map((bad): [CallbackMethod, unknown[]] => ['get', [bad]]),
        ...[
          undefined,
          null,
          'a string',
          42,
          [],
          { cookie: 'not an object' },
          { cookie: { expires: 'not a date' } },
        ].map((bad): [CallbackMethod, unknown[]] => ['set', [sid, bad]]),
        ['set', [42, session]],
        ['set', [undefined, session]],
        ...[undefined, 42, {}].map((bad): [CallbackMethod, unknown[]] => ['destroy', [bad]]),
      ];
      if (context.capabilities.touch) {
        calls.push(
          ['touch', [sid, undefined]],
          ['touch', [sid, null]],
          ['touch', [42, session]],
          ['touch', [sid, { cookie: { expires: 'not a date' } }]],
        );
      }
      const { faults } = await captureProcessFaults(async () => {
        for (const [method, args] of calls) {
          await callWithCallback(context.store, method, args, context.callTimeoutMs);
          await callWithPromise(context.store, method, args, context.callTimeoutMs).catch(() => undefined);
        }
      });
      assertNoProcessFaults(faults, 'calls with bad arguments');
    },
  },
  {
    clauses: [34],
    group,
    title: 'a callback that throws is not called a second time, by any method, on success or error',
    async run(context) {
      const sid = context.sid();
      await context.set(sid, context.session(sid, { n: 1 }));
      const calls: [CallbackMethod, unknown[]][] = [
        ['get', [sid]],
        ['get', [context.sid()]],
        ['set', [sid, context.session(sid, { n: 2 })]],
        ['set', [sid, circularSession(context, sid)]],
      ];
      if (context.capabilities.touch) calls.push(['touch', [sid, context.session(sid, { n: 2 })]]);
      for (const method of ['all', 'ids', 'length'] as const)
        if (context.capabilities[method]) calls.push([method, []]);
      calls.push(['destroy', [sid]]);
      if (context.capabilities.clear) calls.push(['clear', []]);
      for (const [method, args] of calls) {
        const { count, escaped } = await callWithThrowingCallback(context, method, args);
        assert.equal(
          count,
          1,
          `store.${method}() called its callback ${count} times after the callback threw (it must not catch the throw and call back again)`,
        );
        assert.equal(
          escaped.length,
          0,
          `store.${method}() turned the callback's throw into other errors: ${escaped.map(describeError).join('; ')}`,
        );
      }
    },
  },
  {
    clauses: [35],
    group,
    title: 'errors for bad input or unserializable sessions never carry code ENOENT',
    async run(context) {
      const sid = context.sid();
      const bigint = context.session(sid, { big: 10n });
      const calls: [CallbackMethod, unknown[]][] = [
        ['set', [sid, circularSession(context, sid)]],
        ['set', [sid, bigint]],
        ['set', [sid, null]],
        ['get', [42]],
        ['destroy', [42]],
      ];
      if (context.capabilities.touch) calls.push(['touch', [sid, null]]);
      for (const [method, args] of calls) {
        const outcome = await context.call(method, args);
        if (outcome.error) assertNotEnoent(outcome.error, outcome.label);
      }
    },
  },
  {
    clauses: [36],
    group,
    title:
      'corrupt stored data (not JSON, wrong shape) gives get(sid) an error or a miss, never a crash, and set(sid) repairs it',
    skipReason: requires.inspect('writeCorrupt'),
    async run(context) {
      for (const kind of ['not-json', 'wrong-shape'] as const) {
        const sid = context.sid();
        await context.set(sid, context.session(sid, { n: 1 }));
        await context.options.inspect!.writeCorrupt!(context.store, sid, kind);
        const { value: outcomes, faults } = await captureProcessFaults(async () => {
          const results: CallbackOutcome<unknown>[] = [await context.call('get', [sid])];
          for (const method of ['all', 'ids', 'length'] as const)
            if (context.capabilities[method]) results.push(await context.call(method, []));
          if (context.capabilities.iterate) {
            await withDeadline(
              context.iterate().catch(() => undefined),
              context.callTimeoutMs,
              () => `iterate() over a corrupt record did not finish within ${context.callTimeoutMs} ms`,
            );
          }
          return results;
        }, 100);
        assertNoProcessFaults(faults, `reading a ${kind} record`);
        const [get] = outcomes;
        if (!get!.error)
          assertMiss(get!.value, `get(sid) of a ${kind} record (must call back with an error or a miss)`);
        const repaired = context.session(sid, { n: 2 });
        await context.set(sid, repaired);
        await assertStored(context, sid, repaired, `get(sid) after set(sid) over a ${kind} record`);
      }
    },
  },
  {
    clauses: [37, 38],
    group,
    title:
      'after the backend comes back, the same store works again, emits connect after any disconnect, and a set that failed left no torn value',
    skipReason: requires.faults,
    timeoutMs: faultCaseTimeoutMs,
    async run(context) {
      const events: string[] = [];
      context.store.on('disconnect', () => events.push('disconnect'));
      context.store.on('connect', () => events.push('connect'));
      const sid = context.sid();
      const before = context.session(sid, { version: 1, list: [1, 1, 1] });
      await context.set(sid, before);
      const during = context.session(sid, { version: 2, list: [2, 2, 2], extra: 'x' });
      const { value: failed, faults } = await captureProcessFaults(() =>
        context.withBackendDown(async () =>
          callWithCallback(context.store, 'set', [sid, during], context.faultTimeoutMs + 2000),
        ),
      );
      assertNoProcessFaults(faults, 'an outage and its recovery');
      assert.ok(failed.error, `${failed.label} succeeded with the backend down`);
      // withBackendDown polled until the same instance answered again; now it must fully work.
      const after = context.session(context.sid(), { n: 3 });
      await context.set(after.id, after);
      await assertStored(context, after.id, after, 'get(sid) after the backend came back');
      const survivor = await context.get(sid);
      if (survivor !== null) {
        const expected = survivor.version === 2 ? jsonForm(during) : jsonForm(before);
        assertSessionEquals(
          survivor,
          expected,
          context.granularityMs,
          'the session written before the outage (a failed set must leave a whole value)',
        );
      } else {
        assert.ok(
          !context.capabilities.persistent,
          'the session written before the outage is gone although capabilities.persistent is true',
        );
      }
      if (events.includes('disconnect')) {
        await pollUntil(() => events.lastIndexOf('connect') > events.lastIndexOf('disconnect'), {
          timeoutMs: context.recoveryTimeoutMs,
          message: () =>
            `the store emitted disconnect but no connect after the backend came back (events: ${events.join(', ')})`,
        });
      }
    },
  },
  {
    clauses: [37],
    group,
    title: 'a single failed command (bad input) does not emit disconnect',
    async run(context) {
      const events: string[] = [];
      context.store.on('disconnect', () => events.push('disconnect'));
      const sid = context.sid();
      await context.call('set', [sid, circularSession(context, sid)]);
      await context.call('get', [42]);
      await context.call('set', [sid, null]);
      await settle(50);
      assert.deepStrictEqual(events, [], 'the store emitted disconnect for a failed command');
      const ok = context.session(sid, { n: 1 });
      await context.set(sid, ok);
      await assertStored(context, sid, ok, 'get(sid) after failed commands');
    },
  },
  {
    clauses: [38],
    group,
    title: 'a set(sid) that fails (unserializable session) leaves the previous value whole',
    async run(context) {
      const sid = context.sid();
      const previous = context.session(sid, { version: 1, keep: { nested: [1, 2, 3] } });
      await context.set(sid, previous);
      const outcome = await context.call('set', [sid, circularSession(context, sid)]);
      assertCalledBackWithError(outcome, 'set of a circular session');
      const got = await context.get(sid);
      if (got !== null)
        assertSessionEquals(
          got,
          jsonForm(previous),
          context.granularityMs,
          'get(sid) after a failed set (whole previous value, or none)',
        );
    },
  },
  {
    clauses: [39],
    group,
    title:
      'set(sid) of a session with a circular reference or a BigInt calls back with an Error, and its promise rejects, without throwing',
    async run(context) {
      for (const [label, session] of [
        ['circular', (sid: string) => circularSession(context, sid)],
        ['BigInt', (sid: string) => context.session(sid, { big: 2n ** 70n })],
        [
          'BigInt cookie.expires',
          () => ({ cookie: { originalMaxAge: null, expires: 10n, httpOnly: true, path: '/' }, n: 1 }),
        ],
      ] as const) {
        const sid = context.sid();
        assertCalledBackWithError(await context.call('set', [sid, session(sid)]), `set of a ${label} session`);
        let rejected: unknown;
        await callWithPromise(context.store, 'set', [sid, session(sid)], context.callTimeoutMs).catch(
          (error: unknown) => {
            rejected = error;
          },
        );
        assert.ok(
          rejected instanceof Error,
          `set(sid, ${label} session) as a promise should reject with an Error, got ${inspect(rejected)}`,
        );
        assertMiss(await context.get(sid), `get(sid) after the ${label} set failed`);
      }
    },
  },
];

async function iterateWhileDown(store: StoreUnderTest, bound: number): Promise<unknown> {
  try {
    await withDeadline(
      (async () => {
        for await (const entry of store.iterate!()) void entry;
      })(),
      bound,
      () => `iterate() did not fail within ${bound} ms with the backend down`,
    );
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('iterate() did not fail within')) throw error;
    return error;
  }
  throw new Error('iterate() finished without error with the backend down');
}
