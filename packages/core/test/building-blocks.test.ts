import { describe, expect, it } from 'vitest';
import {
  isSessionObject,
  PruneTimer,
  SessionCipher,
  SessionStoreError,
  SessionStoreWarning,
  toStoreError,
} from '../src';
import { isThenable } from '../src/async-parse';
import { RecentWrites } from '../src/recent-writes';
import { withDeadline } from '../src/timeout';

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
    expect(relabelled.cause).toBe(inner);
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

describe('SessionCipher', () => {
  it('names the key in each token with an 8-character id, the format other instances read', () => {
    const token = new SessionCipher({ secret: 'a secret of at least sixteen bytes' }).encrypt('sid', '{}');
    const envelope = JSON.parse(token) as { ss_encrypted: string };
    const [version, id] = envelope.ss_encrypted.split('.');
    expect(version).toBe('v1');
    expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
