import { describe, expect, it } from 'vitest';
import { StoreErrorCode } from '../src';
import { PruningStore, sessionExpiringIn } from './map-store';

describe('unstorableSid: one policy for sids the backend cannot hold', () => {
  it('set fails with ERR_SESSION_STORE_INVALID_ARGUMENT and the reason, before reaching the backend', async () => {
    const store = new PruningStore();
    await expect(store.set('a!b', sessionExpiringIn(60_000))).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: 'MapStore.set failed: sid contains "!", which this backend cannot hold',
    });
    expect(store.records.size).toBe(0);
  });

  it('get and inspect miss, touch and destroy do nothing, without calling the backend', async () => {
    const store = new PruningStore();
    expect(await store.get('a!b')).toBeNull();
    expect(await store.inspect('a!b')).toBeNull();
    await store.touch('a!b', sessionExpiringIn(60_000));
    await store.destroy('a!b');
    expect(store.calls).toEqual([]);
  });

  it('an already expired session under such a sid is simply not stored, as for any sid', async () => {
    const store = new PruningStore();
    await store.set('a!b', sessionExpiringIn(-1000));
    expect(store.calls).toEqual([]);
  });

  it('other sids reach the backend as usual', async () => {
    const store = new PruningStore();
    await store.set('ab', sessionExpiringIn(60_000));
    expect(await store.get('ab')).not.toBeNull();
    await store.destroy('ab');
    expect(store.calls).toEqual(['read ab', 'delete ab']);
  });
});
