import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isSessionObject, PruneTimer, SessionStoreError, SessionStoreWarning, toStoreError } from '../src';
import { isThenable, thenMaybe } from '../src/async-parse';
import { cookieExpiresAt, isExpired, resolveExpiresAt } from '../src/expiry';
import { RecentWrites } from '../src/recent-writes';
import { withDeadline } from '../src/timeout';
import { emitInBackground } from '../src/warning';
import { MapStore, sessionExpiringIn } from './map-store';

// The small modules the base class is built from, each held to what the base relies on
// (cases found by mutation testing, bench/results/mutation.md).

/** Timers keeping the event loop alive right now (unref'd ones do not count). */
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('isThenable', () => {
  it('is true for objects and functions with a then method, false for everything else, without throwing', () => {
    const thenableFunction = Object.assign(() => {}, { then: () => {} });
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => {} })).toBe(true);
    expect(isThenable(thenableFunction)).toBe(true);
    for (const value of [undefined, null, 0, 'then', true, {}, { then: 1 }, () => {}, []])
      expect(isThenable(value), String(value)).toBe(false);
  });
});

describe('thenMaybe', () => {
  it('stays synchronous for a plain value and waits for a promise', async () => {
    expect(thenMaybe(5, (value) => value + 1)).toBe(6);
    await expect(thenMaybe(Promise.resolve(5), (value) => value + 1)).resolves.toBe(6);
  });
});

describe('isSessionObject', () => {
  it('accepts plain objects only: not null, arrays, strings or numbers', () => {
    expect(isSessionObject({ cookie: {} })).toBe(true);
    for (const value of [null, undefined, [], ['a'], 'session', 1]) expect(isSessionObject(value)).toBe(false);
  });
});

describe('RecentWrites', () => {
  it('keeps the most recently written sids up to its capacity, dropping the least recently written', () => {
    const writes = new RecentWrites(2);
    writes.record('a', 1000);
    writes.record('b', 1000);
    expect(writes.isRecent('a', 1000, 10)).toBe(true);
    expect(writes.isRecent('b', 1000, 10)).toBe(true);
    writes.record('a', 1000); // written again: now the newest
    writes.record('c', 1000);
    expect(writes.isRecent('b', 1000, 10)).toBe(false);
    expect(writes.isRecent('a', 1000, 10)).toBe(true);
    expect(writes.isRecent('c', 1000, 10)).toBe(true);
  });

  it('is recent strictly within the window, and forgets a sid on request', () => {
    const writes = new RecentWrites();
    writes.record('a', 1000);
    expect(writes.isRecent('a', 1009, 10)).toBe(true);
    expect(writes.isRecent('a', 1010, 10)).toBe(false);
    writes.forget('a');
    expect(writes.isRecent('a', 1000, 10)).toBe(false);
  });
});

describe('SessionStoreWarning', () => {
  it('prefixes the message with the store once', () => {
    expect(new SessionStoreWarning('MapStore', 'ERR_X', 'prune failed').message).toBe('MapStore: prune failed');
    expect(new SessionStoreWarning('MapStore', 'ERR_X', 'MapStore: prune failed').message).toBe(
      'MapStore: prune failed',
    );
  });

  it('has no cause unless given one (a log shows no empty cause)', () => {
    expect('cause' in new SessionStoreWarning('MapStore', 'ERR_X', 'prune failed')).toBe(false);
    expect(new SessionStoreWarning('MapStore', 'ERR_X', 'prune failed', new Error('down')).cause).toMatchObject({
      message: 'down',
    });
  });
});

describe('toStoreError', () => {
  const inner = new Error('socket closed');
  const original = new SessionStoreError({
    store: 'MapStore',
    operation: 'get',
    code: 'ERR_SESSION_STORE_BACKEND',
    reason: 'socket closed',
    cause: inner,
  });

  it('passes an error of the same store and operation through as it is', () => {
    expect(toStoreError('MapStore', 'get', original)).toBe(original);
  });

  it("re-labels another operation's error with this operation, keeping its code, reason and cause", () => {
    const relabelled = toStoreError('MapStore', 'touch', original);
    expect(relabelled.message).toBe('MapStore.touch failed: socket closed');
    expect(relabelled.code).toBe(original.code);
    expect(relabelled.operation).toBe('touch');
    expect((relabelled.cause as Error).message).toBe(inner.message);
  });

  it("re-labels another store's error with this store (a store wrapping another)", () => {
    const relabelled = toStoreError('OuterStore', 'get', original);
    expect(relabelled).not.toBe(original);
    expect(relabelled.store).toBe('OuterStore');
    expect(relabelled.message).toBe('OuterStore.get failed: socket closed');
  });

  it('keeps the error itself as the cause when it had none', () => {
    const bare = new SessionStoreError({ store: 'MapStore', operation: 'get', code: 'ERR_X' as never, reason: 'bad' });
    const relabelled = toStoreError('MapStore', 'set', bare);
    expect(relabelled.cause).toBe(bare);
    expect(relabelled.message).toBe('MapStore.set failed: bad');
  });
});

describe('withDeadline', () => {
  it('keeps no timer alive while it waits: the deadline alone never holds the process open', async () => {
    const before = liveTimers();
    let release!: (value: number) => void;
    const pending = withDeadline(
      new Promise<number>((resolve) => (release = resolve)),
      60_000,
      () => new Error('late'),
    );
    expect(liveTimers()).toBe(before);
    release(1);
    await expect(pending).resolves.toBe(1);
  });
});

describe('PruneTimer.stop', () => {
  it('stops a run that was already scheduled', async () => {
    let runs = 0;
    const timer = new PruneTimer(
      20,
      0,
      async () => {
        runs += 1;
      },
      () => {},
    );
    timer.start();
    timer.stop();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(0);
  });
});

describe('expiry arithmetic', () => {
  it('reads cookie.expires as a Date, an ISO string or epoch ms', () => {
    const at = Date.parse('2030-01-02T03:04:05.678Z');
    expect(cookieExpiresAt({ cookie: { expires: new Date(at) } })).toBe(at);
    expect(cookieExpiresAt({ cookie: { expires: '2030-01-02T03:04:05.678Z' } })).toBe(at);
    expect(cookieExpiresAt({ cookie: { expires: at } })).toBe(at);
  });

  it('refuses a ttl function that returns something other than a number', () => {
    const session = { cookie: {} } as never;
    expect(() => resolveExpiresAt(session, 'sid', 0, () => '5' as never)).toThrow(/ttl function returned/);
    expect(() => resolveExpiresAt(session, 'sid', 0, () => Number.NaN)).toThrow(/ttl function returned/);
    expect(resolveExpiresAt(session, 'sid', 1000, () => 5)).toBe(6000);
  });

  it('counts a session as expired from the very ms of its expiry', () => {
    expect(isExpired(1000, 1000)).toBe(true);
    expect(isExpired(1001, 1000)).toBe(false);
    expect(isExpired(null, 1000)).toBe(false);
  });
});

describe('SessionStoreBase options', () => {
  it('refuses a serializer without both functions, naming the option', () => {
    for (const serializer of [null, {}, { stringify: JSON.stringify }, { parse: JSON.parse }])
      expect(() => new MapStore({ serializer } as never), String(serializer)).toThrow(/option "serializer" must be/);
    expect(() => new MapStore({ serializer: { stringify: JSON.stringify, parse: JSON.parse } })).not.toThrow();
  });

  it('refuses a negative ttl', () => {
    expect(() => new MapStore({ ttl: -1 })).toThrow(/ttl/);
  });

  it("declares the store's default lifetime when a ttl function decides each session's", () => {
    expect(new MapStore({ ttl: () => 5 }).capabilities.defaultTtlMs).toBe(60_000);
    expect(new MapStore({ ttl: 5 }).capabilities.defaultTtlMs).toBe(5_000);
  });

  it('set with a past expiry deletes the stored record and writes nothing', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(60_000));
    await store.set('sid', sessionExpiringIn(-1000));
    expect(store.records.has('sid')).toBe(false);
  });
});

describe('emitInBackground', () => {
  it('reports a listener that throws a non-Error (null) with process.emitWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const emitter = new EventEmitter();
      emitter.on('connect', () => {
        throw null;
      });
      emitInBackground(emitter, 'MapStore', 'connect');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(warnings.map((warning) => warning.message)).toContain('MapStore: a "connect" listener threw: null');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('PruneTimer stopped during a run', () => {
  it('schedules no further run', async () => {
    let runs = 0;
    const timer = new PruneTimer(
      10,
      0,
      async () => {
        runs += 1;
        timer.stop();
      },
      () => {},
    );
    timer.start();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(1);
  });
});
