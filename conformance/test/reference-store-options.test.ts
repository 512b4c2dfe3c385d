import { describe, expect, it } from 'vitest';
import { ReferenceBackend, ReferenceStore, type ReferenceStoreOptions } from '../src/reference-store';

// What the conformance run cannot show about the reference store itself: its options are
// checked, and its backend tells the stores on it about an outage (cases found by mutation
// testing, bench/results/mutation.md).

describe('ReferenceStore options', () => {
  it('refuses options that are not an object, with a TypeError naming the store', () => {
    expect(() => new ReferenceStore('sess' as unknown as ReferenceStoreOptions)).toThrow(
      /^ReferenceStore: options must be an object$/,
    );
  });

  it.each([
    ['namespace', { namespace: 'a:b' }],
    ['namespace', { namespace: 5 }],
    ['backend', { backend: {} as ReferenceBackend }],
    ['defaultTtlMs', { defaultTtlMs: 0 }],
    ['defaultTtlMs', { defaultTtlMs: Number.NaN }],
    ['maxSessionBytes', { maxSessionBytes: 0 }],
    ['maxSessionBytes', { maxSessionBytes: -1 }],
    ['maxSessionBytes', { maxSessionBytes: Number.POSITIVE_INFINITY }],
    ['pageSize', { pageSize: 1.5 }],
    ['pageSize', { pageSize: 0 }],
    ['userId', { userId: 'id' }],
  ])('refuses a bad %s (%o)', (name, options) => {
    expect(() => new ReferenceStore({ backend: new ReferenceBackend(), ...options } as ReferenceStoreOptions)).toThrow(
      new RegExp(`^ReferenceStore: option "${name}" must be`),
    );
  });

  it('accepts the limits of each option and declares them', () => {
    const store = new ReferenceStore({
      backend: new ReferenceBackend(),
      maxSessionBytes: 1,
      pageSize: 1,
      defaultTtlMs: 1,
    });
    expect(store.capabilities).toMatchObject({ maxSessionBytes: 1, defaultTtlMs: 1, sessionsByUser: false });
  });

  it('has no by-user methods without the userId option, and has them with it', () => {
    const backend = new ReferenceBackend();
    const plain = new ReferenceStore({ backend });
    for (const method of ['userSessions', 'countUserSessions', 'destroyUserSessions'] as const)
      expect(plain[method], method).toBeUndefined();
    const byUser = new ReferenceStore({ backend, userId: () => null });
    expect(typeof byUser.userSessions).toBe('function');
    expect(byUser.capabilities.sessionsByUser).toBe(true);
  });

  it('refuses a touch without a cookie through the callback', async () => {
    const store = new ReferenceStore({ backend: new ReferenceBackend() });
    await expect(store.touch('sid', {} as never)).rejects.toThrow(/^ReferenceStore\.touch failed: .*cookie/);
  });
});

describe('ReferenceBackend outages', () => {
  it('tells every open store on it, once per change, and no closed store', async () => {
    const backend = new ReferenceBackend();
    const open = new ReferenceStore({ backend, namespace: 'open' });
    const closed = new ReferenceStore({ backend, namespace: 'closed' });
    const seen: string[] = [];
    for (const store of [open, closed])
      for (const event of ['connect', 'disconnect']) store.on(event, () => seen.push(`${store.namespace} ${event}`));
    await closed.close();
    await backend.stopBackend();
    await backend.stopBackend();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['open disconnect']);
    const refused = await (open.get('sid') as Promise<unknown>).catch((error: unknown) => error);
    expect((refused as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    await backend.startBackend();
    await backend.startBackend();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['open disconnect', 'open connect']);
    await expect(open.get('sid')).resolves.toBeNull();
  });
});

describe('ReferenceStore reads', () => {
  it('reports a stored JSON value that is not a session object (null, a number, a string) as corrupt', async () => {
    const backend = new ReferenceBackend();
    const store = new ReferenceStore({ backend, namespace: 'scalars' });
    for (const json of ['null', '5', '"session"', '{"cookie":5}']) {
      backend.records.set('scalars:sid', { json, expiresAt: Date.now() + 60_000 });
      await expect(store.get('sid'), json).rejects.toMatchObject({ code: 'ERR_REFERENCE_CORRUPT' });
    }
  });
});
