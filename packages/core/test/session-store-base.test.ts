import expressSession from 'express-session';
import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { SessionStoreError, StoreErrorCode } from '../src';
import { MapStore, MinimalStore, sessionExpiringIn } from './map-store';

describe('SessionStoreBase', () => {
  it('is an express-session Store', () => {
    expect(new MapStore()).toBeInstanceOf(expressSession.Store);
  });

  it('validates options at construction with a TypeError naming the option', () => {
    expect(() => new MapStore({ ttl: -1 })).toThrow(/option "ttl" must be a number/);
    expect(() => new MapStore({ touchAfter: 'soon' as never })).toThrow(/option "touchAfter"/);
    expect(() => new MapStore({ operationTimeoutMs: 0 })).toThrow(/option "operationTimeoutMs"/);
    expect(() => new MapStore({ serializer: {} as never })).toThrow(/option "serializer"/);
    expect(() => new MapStore({ disableTouch: 1 as never })).toThrow(/option "disableTouch" must be a boolean/);
    expect(() => new MapStore('x' as never)).toThrow(/options must be an object/);
  });

  it('reports bad arguments through the callback and the promise, never by throwing', async () => {
    const store = new MapStore();
    const viaCallback = await new Promise<unknown>((resolve) => store.get(42 as never, resolve));
    expect(viaCallback).toBeInstanceOf(SessionStoreError);
    expect(viaCallback).toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/^MapStore\.get failed: sid must be/),
    });
    await expect(store.set('sid', null as never)).rejects.toMatchObject({ code: StoreErrorCode.invalidArgument });
    await expect(store.set('sid', sessionExpiringIn(1000, { big: 10n }))).rejects.toMatchObject({
      code: StoreErrorCode.serialize,
    });
    await expect(store.set('sid', { cookie: { expires: 'garbage' } } as never)).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
    });
  });

  it('wraps backend errors with the store, the operation and the cause, never as ENOENT', async () => {
    const store = new MapStore();
    const cause = Object.assign(new Error('connection refused'), { code: 'ENOENT' });
    store.fail = cause;
    const error = await store.get('sid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({
      code: StoreErrorCode.backend,
      store: 'MapStore',
      operation: 'get',
      message: 'MapStore.get failed: connection refused',
      cause,
    });
  });

  it('ends a call to a backend that never answers within operationTimeoutMs', async () => {
    const store = new MapStore({ operationTimeoutMs: 50 });
    store.hang = true;
    await expect(store.set('sid', sessionExpiringIn(1000))).rejects.toMatchObject({ code: StoreErrorCode.timeout });
    await expect(store.all()).rejects.toMatchObject({ code: StoreErrorCode.timeout, operation: 'all' });
  });

  it('get returns cookie.expires as the backend expiry, which touch moves without rewriting data', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(10_000, { n: 1 }));
    const later = sessionExpiringIn(50_000, { n: 'stale' });
    await store.touch('sid', later);
    const got = (await store.get('sid')) as unknown as { n: unknown; cookie: { expires: string } };
    expect(got.n).toBe(1);
    expect(got.cookie.expires).toBe((later.cookie as unknown as { expires: string }).expires);
  });

  it('keeps browser-session cookies (expires null) as they are, with the default TTL', async () => {
    const store = new MapStore();
    await store.set('sid', { cookie: { originalMaxAge: null, expires: null } } as unknown as SessionData);
    expect(await store.get('sid')).toEqual({ cookie: { originalMaxAge: null, expires: null } });
    const expiresAt = store.records.get('sid')!.expiresAt;
    expect(expiresAt - Date.now()).toBeGreaterThan(59_000);
    expect(store.capabilities.defaultTtlMs).toBe(60_000);
  });

  it('deletes instead of writing a session that has already expired', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(60_000));
    await store.set('sid', sessionExpiringIn(-1));
    expect(store.records.has('sid')).toBe(false);
  });

  it('serializes at call time: mutating the input afterwards changes nothing stored', async () => {
    const store = new MapStore();
    const session = sessionExpiringIn(60_000, { list: [1] }) as unknown as { list: number[] };
    const pending = store.set('sid', session as unknown as SessionData);
    session.list.push(2);
    await pending;
    expect(await store.get('sid')).toMatchObject({ list: [1] });
  });

  it('refuses sessions larger than the backend accepts, keeping the previous value', async () => {
    const store = new MapStore({}, { maxSessionBytes: 200 });
    await store.set('sid', sessionExpiringIn(60_000, { v: 'small' }));
    await expect(store.set('sid', sessionExpiringIn(60_000, { v: 'x'.repeat(500) }))).rejects.toMatchObject({
      code: StoreErrorCode.tooLarge,
    });
    expect(await store.get('sid')).toMatchObject({ v: 'small' });
  });

  it('skips touches within touchAfter seconds of the last write', async () => {
    const store = new MapStore({ touchAfter: 60 });
    await store.set('sid', sessionExpiringIn(10_000));
    const before = store.records.get('sid')!.expiresAt;
    await store.touch('sid', sessionExpiringIn(50_000));
    expect(store.records.get('sid')!.expiresAt).toBe(before);
  });

  it('enumerates live sessions only, page by page', async () => {
    const store = new MapStore();
    await Promise.all([1, 2, 3].map((n) => store.set(`s${n}`, sessionExpiringIn(60_000, { n }))));
    store.records.set('old', { payload: JSON.stringify(sessionExpiringIn(60_000)), expiresAt: Date.now() - 1 });
    expect((await store.ids()).sort()).toEqual(['s1', 's2', 's3']);
    expect(await store.length()).toBe(3);
    const all = await store.all();
    expect(all.map((s) => (s as unknown as { id: string; n: number }).n).sort()).toEqual([1, 2, 3]);
    expect(all.every((s) => typeof (s as unknown as { id: unknown }).id === 'string')).toBe(true);
    const seen: string[] = [];
    for await (const { sid } of store.iterate()) seen.push(sid);
    expect(seen.sort()).toEqual(['s1', 's2', 's3']);
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  it('makes unsupported methods absent and says so in its capabilities', () => {
    const store = new MinimalStore({ disableTouch: true }) as unknown as Record<string, unknown> & MinimalStore;
    for (const method of ['touch', 'all', 'ids', 'length', 'clear', 'iterate', 'inspect'])
      expect(typeof store[method]).toBe('undefined');
    expect(store.capabilities).toMatchObject({
      touch: false,
      all: false,
      ids: false,
      length: false,
      clear: false,
      iterate: false,
    });
    expect(new MapStore().capabilities).toMatchObject({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
    });
  });

  it('inspect(sid) shows the record as the backend holds it, through the callback and the promise', async () => {
    const store = new MapStore();
    await store.set('s1', { cookie: { originalMaxAge: null, expires: null } } as never);
    const shown = await store.inspect('s1');
    expect(shown).toMatchObject({
      backend: 'Map',
      location: 'entry "s1"',
      stored: expect.stringContaining('"cookie"'),
    });
    expect(shown?.expiresAt).toBe(store.records.get('s1')?.expiresAt);
    expect(await store.inspect('missing')).toBeNull();
    const viaCallback = await new Promise((resolve, reject) =>
      store.inspect('s1', (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(viaCallback).toEqual(shown);
    await expect(store.inspect('')).rejects.toMatchObject({ code: StoreErrorCode.invalidArgument });
  });

  it('fails every call after close with ERR_SESSION_STORE_CLOSED', async () => {
    const store = new MapStore();
    await store.close();
    await expect(store.get('sid')).rejects.toMatchObject({ code: StoreErrorCode.closed });
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('emits connect and disconnect only on a change of state', () => {
    class Probe extends MapStore {
      up() {
        this.reportConnected();
      }
      down() {
        this.reportDisconnected();
      }
    }
    const store = new Probe();
    const events: string[] = [];
    store.on('connect', () => events.push('connect'));
    store.on('disconnect', () => events.push('disconnect'));
    store.up();
    store.up();
    store.down();
    store.down();
    store.up();
    expect(events).toEqual(['connect', 'disconnect', 'connect']);
  });
});

describe('clear() on a backend that deletes page by page', () => {
  class PagedClearStore extends MapStore {
    stepDelayMs = 0;
    protected override async *deleteAllRecords(): AsyncGenerator<number> {
      for (const sid of [...this.records.keys()]) {
        await new Promise((resolve) => setTimeout(resolve, this.stepDelayMs));
        if (this.hang) await new Promise(() => {});
        this.records.delete(sid);
        yield 1;
      }
    }
  }

  it('bounds each step, not the whole: many quick steps may take longer than the timeout', async () => {
    const store = new PagedClearStore({ operationTimeoutMs: 40 });
    for (let n = 0; n < 6; n++) await store.set(`s${n}`, sessionExpiringIn(60_000));
    store.stepDelayMs = 15;
    await store.clear();
    expect(store.records.size).toBe(0);
  });

  it('still ends with a timeout when one step hangs', async () => {
    const store = new PagedClearStore({ operationTimeoutMs: 40 });
    await store.set('s', sessionExpiringIn(60_000));
    store.hang = true;
    await expect(store.clear()).rejects.toMatchObject({ code: StoreErrorCode.timeout, operation: 'clear' });
  });
});
