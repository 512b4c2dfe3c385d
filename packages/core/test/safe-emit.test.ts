import { afterEach, describe, expect, it } from 'vitest';
import { emitSafely, LISTENER_THREW_CODE } from '../src';
import { eventually } from './eventually';
import { PruningStore } from './map-store';

describe('listeners and hooks that throw never end the process and never break the store', () => {
  const processWarnings: Error[] = [];
  const onProcessWarning = (warning: Error) => processWarnings.push(warning);
  process.on('warning', onProcessWarning);
  afterEach(() => {
    processWarnings.length = 0;
  });
  const reported = (pattern: RegExp) => processWarnings.find((warning) => pattern.test(warning.message));

  it('a throwing connect or disconnect listener, called from a promise callback, is reported and the store keeps working', async () => {
    const store = new PruningStore();
    store.on('connect', () => {
      throw new Error('connect listener bug');
    });
    store.on('disconnect', () => {
      throw new Error('disconnect listener bug');
    });
    // An unhandled rejection would fail this test run; the promises must resolve.
    await store.connectionDown();
    await store.connectionUp();
    await eventually(
      () => reported(/disconnect listener bug/) !== undefined && reported(/connect listener bug/) !== undefined,
    );
    expect(reported(/disconnect listener bug/)).toMatchObject({
      code: LISTENER_THREW_CODE,
      message: 'MapStore: a "disconnect" listener threw: disconnect listener bug',
    });
    await store.set('after-listener', { cookie: { expires: null } } as never);
    expect(await store.get('after-listener')).toMatchObject({ cookie: { expires: null } });
    // Listeners after the throwing one still hear every event (express-session's among them).
    const seen: string[] = [];
    store.on('disconnect', () => seen.push('disconnect'));
    store.once('connect', () => seen.push('connect once'));
    store.on('connect', () => seen.push('connect'));
    await store.connectionDown();
    await store.connectionUp();
    await store.connectionDown();
    await store.connectionUp();
    expect(seen).toEqual(['disconnect', 'connect once', 'connect', 'disconnect', 'connect']);
  });

  it('a throwing decodeError listener does not turn a miss into a failed get', async () => {
    const store = new PruningStore();
    store.records.set('corrupt', { payload: '{not json', expiresAt: Date.now() + 60_000 });
    store.on('decodeError', () => {
      throw new Error('decodeError listener bug');
    });
    await expect(store.get('corrupt')).resolves.toBeNull();
    await eventually(() => reported(/decodeError listener bug/) !== undefined);
    expect(reported(/decodeError listener bug/)).toMatchObject({ code: LISTENER_THREW_CODE });
  });

  it('a hook that throws or rejects is reported, not thrown', async () => {
    const store = new PruningStore();
    expect(() =>
      store.runHook(() => {
        throw new Error('errorLog bug');
      }, new Error('prune failed')),
    ).not.toThrow();
    store.runHook(() => Promise.reject(new Error('async errorLog bug')), new Error('prune failed'));
    await eventually(() => reported(/async errorLog bug/) !== undefined);
    expect(reported(/errorLog bug/)).toMatchObject({
      code: LISTENER_THREW_CODE,
      message: 'MapStore: the "errorLog" hook threw: errorLog bug',
    });
  });

  it('emitSafely returns what emit returns and reports a throw, whatever is thrown', () => {
    const store = new PruningStore();
    expect(emitSafely(store, 'MapStore', 'nobody-listens')).toBe(false);
    store.on('odd', () => {
      throw Object.create(null);
    });
    expect(() => emitSafely(store, 'MapStore', 'odd')).not.toThrow();
    // Heard, although its only listener threw.
    expect(emitSafely(store, 'MapStore', 'odd')).toBe(true);
    store.on('fine', () => {});
    expect(emitSafely(store, 'MapStore', 'fine')).toBe(true);
  });

  it('on an emitter without rawListeners, a throwing emit is reported and counts as heard', async () => {
    const bare = {
      emit(): boolean {
        throw new Error('bare emitter listener broke');
      },
    };
    expect(emitSafely(bare, 'BareStore', 'connect')).toBe(true);
    await eventually(() => reported(/"connect" listener/) !== undefined);
    expect(reported(/"connect" listener/)).toMatchObject({ code: LISTENER_THREW_CODE });
  });
});
