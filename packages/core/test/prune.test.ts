import { describe, expect, it } from 'vitest';
import { SessionStoreWarning, StoreErrorCode } from '../src';
import { eventually } from './eventually';
import { MapStore, PruningStore, sessionExpiringIn } from './map-store';

describe('prune()', () => {
  it('gives the number deleted, through a promise or a callback', async () => {
    const store = new PruningStore();
    store.records.set('old', { payload: '{}', expiresAt: Date.now() - 1 });
    store.records.set('older', { payload: '{}', expiresAt: Date.now() - 2 });
    await store.set('live', sessionExpiringIn(60_000));
    expect(await store.prune()).toBe(2);
    store.records.set('old', { payload: '{}', expiresAt: Date.now() - 1 });
    const viaCallback = await new Promise((resolve, reject) =>
      store.prune((error, deleted) => (error ? reject(error) : resolve(deleted))),
    );
    expect(viaCallback).toBe(1);
    expect([...store.records.keys()]).toEqual(['live']);
  });

  it('joins a prune already running instead of starting another', async () => {
    const store = new PruningStore();
    let open: () => void = () => {};
    store.pruneGate = new Promise((resolve) => (open = resolve));
    const first = store.prune();
    const second = store.prune();
    open();
    expect(await Promise.all([first, second])).toEqual([0, 0]);
    expect(store.pruneRuns).toBe(1);
    await store.prune();
    expect(store.pruneRuns).toBe(2);
  });

  it('wraps a backend failure with the store and operation, and fails after close', async () => {
    const store = new PruningStore();
    store.fail = new Error('disk gone');
    await expect(store.prune()).rejects.toMatchObject({
      code: StoreErrorCode.backend,
      message: expect.stringMatching(/^MapStore\.prune failed: /),
      cause: store.fail,
    });
    store.fail = null;
    await store.close();
    await expect(store.prune()).rejects.toMatchObject({ code: StoreErrorCode.closed });
  });

  it('is absent on a store without pruneExpired', () => {
    expect(typeof new MapStore().prune).toBe('undefined');
    expect(typeof new PruningStore().prune).toBe('function');
  });

  it('on the timer, reports a failure as a coded warning and as pruneError, never as error, and keeps going', async () => {
    const store = new PruningStore();
    store.fail = new Error('disk gone');
    const warnings: SessionStoreWarning[] = [];
    const pruneErrors: unknown[] = [];
    let errors = 0;
    store.on('warning', (warning: SessionStoreWarning) => warnings.push(warning));
    store.on('pruneError', (error) => pruneErrors.push(error));
    store.on('error', () => (errors += 1));
    store.runPruneTimer(1);
    await eventually(() => warnings.length >= 2 && pruneErrors.length >= 2);
    await store.close();
    expect(errors).toBe(0);
    expect(warnings[0]).toBeInstanceOf(SessionStoreWarning);
    expect(warnings[0]).toMatchObject({
      code: 'ERR_SESSION_STORE_PRUNE_FAILED',
      store: 'MapStore',
      message: expect.stringMatching(/^MapStore: deleting expired sessions failed; the next run tries again: /),
      cause: pruneErrors[0],
    });
    expect(pruneErrors[0]).toMatchObject({ code: StoreErrorCode.backend, cause: store.fail });
  });
});
