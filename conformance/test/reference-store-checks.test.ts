import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ReferenceBackend,
  ReferenceErrorCode,
  ReferenceStore,
  ReferenceStoreError,
  referenceConformanceOptions,
  referenceInspector,
  type ReferenceStoreOptions,
} from '../src/reference-store';

// What the conformance run cannot show about the reference store itself: how it checks its own
// input, what its test hooks do, and that it keeps no dead records in its backend (it has no
// prune). Each case kills mutants that survived the whole suite (bench/results/mutation.md).

type Loose = never;

function storeOn(options: Omit<ReferenceStoreOptions, 'backend'> = {}): {
  store: ReferenceStore;
  backend: ReferenceBackend;
} {
  const backend = new ReferenceBackend();
  return { backend, store: new ReferenceStore({ backend, namespace: 'ns', ...options }) };
}

const liveCookie = () => ({ maxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() });

/** The error a promise rejects with (the test fails if it resolves). */
async function failure(promise: Promise<unknown> | undefined): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('resolved, expected a rejection');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ReferenceStore argument checks', () => {
  it.each([undefined, '', 42])(
    'refuses the sid %o in get, set, touch and destroy as an invalid argument',
    async (sid) => {
      const { store } = storeOn();
      const session = { cookie: liveCookie(), n: 1 } as Loose;
      for (const call of [
        () => store.get(sid as Loose),
        () => store.set(sid as Loose, session),
        () => store.touch(sid as Loose, session),
        () => store.destroy(sid as Loose),
      ])
        expect(await failure(call())).toMatchObject({ code: ReferenceErrorCode.invalidArgument });
    },
  );

  it('refuses a session that is not an object in set and touch, naming what it got', async () => {
    const { store } = storeOn();
    await store.set('sid', { cookie: liveCookie(), n: 1 } as Loose);
    const refused = await failure(store.set('sid', null as Loose));
    expect(refused).toMatchObject({ code: ReferenceErrorCode.invalidArgument });
    expect(refused.message).toMatch(/got null$/);
    expect((await failure(store.set('sid', 'text' as Loose))).message).toMatch(/got string$/);
    // Without the check, touch reads null.cookie: a TypeError reported as a backend failure.
    expect(await failure(store.touch('sid', null as Loose))).toMatchObject({
      code: ReferenceErrorCode.invalidArgument,
    });
  });

  it('takes a session without a cookie; refuses a cookie that is not a plain object, as reads would', async () => {
    const { store, backend } = storeOn();
    await store.set('bare', { n: 1 } as Loose);
    await expect(store.get('bare')).resolves.toEqual({ n: 1 });
    for (const cookie of [5, null, []]) {
      expect(await failure(store.set('sid', { cookie, n: 2 } as Loose))).toMatchObject({
        code: ReferenceErrorCode.invalidArgument,
      });
      expect(backend.records.has('ns:sid')).toBe(false);
    }
  });

  it('refuses destroyUserSessions options that are not { except?: sid }', async () => {
    const { store } = storeOn({ userId: () => null });
    for (const options of ['except', { except: 5 }])
      expect(await failure(store.destroyUserSessions('user', options as Loose))).toMatchObject({
        code: ReferenceErrorCode.invalidArgument,
      });
    await expect(store.destroyUserSessions('user', { except: 'sid' })).resolves.toBe(0);
  });

  it('takes a userId function giving null as no user, and refuses one giving a number or an empty string', async () => {
    await expect(storeOn({ userId: () => null }).store.set('sid', { cookie: liveCookie() } as Loose)).resolves.toBe(
      undefined,
    );
    for (const user of [5, ''])
      expect(
        await failure(storeOn({ userId: () => user as Loose }).store.set('sid', { cookie: liveCookie() } as Loose)),
      ).toMatchObject({ code: ReferenceErrorCode.invalidArgument });
  });

  it('reads a number cookie.expires as epoch ms, and refuses one that is no date', async () => {
    const { store, backend } = storeOn();
    const expires = Date.now() + 60_000;
    await store.set('sid', { cookie: { expires } } as Loose);
    expect(backend.records.get('ns:sid')?.expiresAt).toBe(expires);
    for (const bad of ['soon', {}])
      expect(await failure(store.set('sid', { cookie: { expires: bad } } as Loose))).toMatchObject({
        code: ReferenceErrorCode.invalidArgument,
      });
  });
  it('refuses a cookie.expires after 9999-12-31T23:59:59.999Z, and keeps that instant (its choice under clause 64)', async () => {
    const { store, backend } = storeOn();
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (const sid of ['set', 'touch']) await store.set(sid, { cookie: liveCookie(), n: 1 } as Loose);
    const far = { cookie: { expires: new Date(latest + 1).toISOString() } } as Loose;
    for (const refused of [store.set('set', far), store.touch('touch', far)])
      expect(await failure(refused)).toMatchObject({ code: ReferenceErrorCode.invalidArgument });
    expect(backend.records.get('ns:touch')?.expiresAt).toBeLessThan(latest);
    await store.set('set', { cookie: { expires: new Date(latest).toISOString() } } as Loose);
    expect(backend.records.get('ns:set')?.expiresAt).toBe(latest);
  });
});

describe('ReferenceStore serialization', () => {
  it("refuses a session JSON cannot write, with JSON.stringify's TypeError as cause", async () => {
    const { store } = storeOn();
    const circular: Record<string, unknown> = { cookie: liveCookie() };
    circular.self = circular;
    const refused = await failure(store.set('sid', circular as Loose));
    expect(refused).toMatchObject({ code: ReferenceErrorCode.serialize });
    expect(refused.cause).toBeInstanceOf(TypeError);
  });

  it('refuses a session whose JSON form is nothing (a toJSON giving undefined)', async () => {
    const { store, backend } = storeOn();
    const refused = await failure(store.set('sid', { toJSON: () => undefined } as Loose));
    expect(refused).toMatchObject({ code: ReferenceErrorCode.serialize });
    expect(refused.cause).toBeInstanceOf(Error);
    expect(backend.records.has('ns:sid')).toBe(false);
  });

  it('takes a session of exactly maxSessionBytes, and refuses one byte more as too large', async () => {
    const { store } = storeOn({ maxSessionBytes: 32 });
    const sized = (bytes: number) => ({ p: 'x'.repeat(bytes - '{"p":""}'.length) });
    expect(JSON.stringify(sized(32))).toHaveLength(32);
    await store.set('fits', sized(32) as Loose);
    await expect(store.get('fits')).resolves.toEqual(sized(32));
    expect(await failure(store.set('over', sized(33) as Loose))).toMatchObject({ code: ReferenceErrorCode.tooLarge });
  });

  it("reports a stored text that is not JSON as corrupt, with JSON.parse's SyntaxError as cause", async () => {
    const { store, backend } = storeOn();
    backend.records.set('ns:sid', { json: '{"cookie":', expiresAt: Date.now() + 60_000 });
    const refused = await failure(store.get('sid'));
    expect(refused).toMatchObject({ code: ReferenceErrorCode.corrupt });
    expect(refused.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('ReferenceStore after close', () => {
  it('fails every call, iterate included, with ERR_REFERENCE_CLOSED', async () => {
    const { store } = storeOn();
    await store.set('sid', { cookie: liveCookie() } as Loose);
    await store.close();
    expect(await failure(store.get('sid'))).toMatchObject({ code: ReferenceErrorCode.closed });
    expect(await failure(store.iterate().next())).toMatchObject({ code: ReferenceErrorCode.closed });
  });
});

describe('ReferenceStore capabilities', () => {
  it('declares every method it has, and its defaults', () => {
    expect(storeOn().store.capabilities).toEqual({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
      maxSessionBytes: null,
      persistent: true,
      defaultTtlMs: 86_400_000,
      sessionsByUser: false,
    });
  });

  it('leaves the absent by-user methods assignable and configurable, so a subclass may define them', () => {
    const { store } = storeOn();
    for (const method of ['userSessions', 'countUserSessions', 'destroyUserSessions'])
      expect(Object.getOwnPropertyDescriptor(store, method), method).toEqual({
        value: undefined,
        writable: true,
        enumerable: false,
        configurable: true,
      });
  });
});

describe('ReferenceStore keeps no dead records (it has no prune)', () => {
  const past = () => new Date(Date.now() - 1000).toISOString();

  it('removes a record when set or touch gives it a past expiry, and when a read finds it expired', async () => {
    const { store, backend } = storeOn();
    await store.set('set', { cookie: liveCookie() } as Loose);
    await store.set('set', { cookie: { expires: past() } } as Loose);
    expect(backend.records.has('ns:set')).toBe(false);
    await store.set('touch', { cookie: liveCookie() } as Loose);
    await store.touch('touch', { cookie: { expires: past() } } as Loose);
    expect(backend.records.has('ns:touch')).toBe(false);
    backend.records.set('ns:read', { json: '{}', expiresAt: Date.now() - 1000 });
    await expect(store.get('read')).resolves.toBeNull();
    expect(backend.records.has('ns:read')).toBe(false);
  });

  it('counts a record as expired from the very ms of its expiry, in reads, writes, touch and rawTtlMs', async () => {
    const { store, backend } = storeOn();
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const atNow = { cookie: { expires: new Date(now).toISOString() } };
    backend.records.set('ns:read', { json: '{}', expiresAt: now });
    expect(await referenceInspector.rawTtlMs(store, 'read')).toBeNull();
    await expect(store.get('read')).resolves.toBeNull();
    await store.set('set', atNow as Loose);
    expect(backend.records.has('ns:set')).toBe(false);
    await store.set('touch', { cookie: liveCookie() } as Loose);
    await store.touch('touch', atNow as Loose);
    expect(backend.records.has('ns:touch')).toBe(false);
  });

  it('reads iterate() a page of pageSize at a time, with no extra round trip after the last page', async () => {
    const { store, backend } = storeOn({ pageSize: 2 });
    for (const sid of ['a', 'b', 'c', 'd', 'e']) await store.set(sid, { cookie: liveCookie() } as Loose);
    const pages: number[] = [];
    const execute = backend.execute.bind(backend);
    vi.spyOn(backend, 'execute').mockImplementation(async (work) => {
      const result = await execute(work);
      pages.push((result as unknown[]).length);
      return result;
    });
    const sids: string[] = [];
    for await (const { sid } of store.iterate()) sids.push(sid);
    expect(sids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toEqual([2, 2, 1]);
  });
});

describe('ReferenceBackend and connection events', () => {
  it('tells its stores only of changes, and a store reports a change once', async () => {
    const calls: boolean[] = [];
    class Recording extends ReferenceStore {
      override connectionChanged(up: boolean): void {
        calls.push(up);
        super.connectionChanged(up);
      }
    }
    const backend = new ReferenceBackend();
    const store = new Recording({ backend });
    const events: string[] = [];
    for (const event of ['connect', 'disconnect']) store.on(event, () => events.push(event));
    await backend.stopBackend();
    await backend.stopBackend();
    await backend.startBackend();
    await backend.startBackend();
    expect(calls).toEqual([false, true]);
    store.connectionChanged(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['disconnect', 'connect']);
  });
});

describe('ReferenceStore errors', () => {
  it('names the store, the operation and the backend error, which it keeps as cause', async () => {
    const { store, backend } = storeOn();
    await backend.stopBackend();
    const refused = await failure(store.get('sid'));
    expect(refused).toMatchObject({
      code: ReferenceErrorCode.backend,
      message: 'ReferenceStore.get failed: connect ECONNREFUSED 127.0.0.1:0 (reference backend is down)',
    });
    expect(refused.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('passes on a ReferenceStoreError a subclass throws as it is, and wraps a thrown non-Error', async () => {
    const own = new ReferenceStoreError('ReferenceStore.get failed: a subclass said no', 'ERR_SUBCLASS');
    let thrown: unknown = own;
    class Throwing extends ReferenceStore {
      protected override readSession(): Record<string, unknown> | null {
        throw thrown;
      }
    }
    const store = new Throwing({ backend: new ReferenceBackend() });
    expect(await failure(store.get('sid'))).toBe(own);
    thrown = 'a bare string';
    const wrapped = await failure(store.get('sid'));
    expect(wrapped).toMatchObject({
      code: ReferenceErrorCode.backend,
      message: 'ReferenceStore.get failed: a bare string',
      cause: 'a bare string',
    });
  });
});

describe('ReferenceStore events', () => {
  it('reports what each listener throws with process.emitWarning, and still calls the next ones, with the store as this', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { store, backend } = storeOn();
    const heard: unknown[] = [];
    for (const thrown of [new Error('boom'), 'bare', null])
      store.on('disconnect', () => {
        throw thrown;
      });
    store.on('disconnect', function (this: unknown, ...args: unknown[]) {
      heard.push(this, args);
    });
    await backend.stopBackend();
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([store, []]);
    expect(warnings.mock.calls.map(([message]) => message)).toEqual([
      'ReferenceStore: a "disconnect" listener threw: boom',
      'ReferenceStore: a "disconnect" listener threw: bare',
      'ReferenceStore: a "disconnect" listener threw: null',
    ]);
  });
});

describe('referenceInspector and referenceConformanceOptions', () => {
  it('rawValue gives the stored JSON, or null for an unknown sid', async () => {
    const { store } = storeOn();
    const session = { cookie: liveCookie(), n: 1 };
    await store.set('sid', session as Loose);
    expect(await referenceInspector.rawValue(store, 'sid')).toBe(JSON.stringify(session));
    expect(await referenceInspector.rawValue(store, 'unknown')).toBeNull();
  });

  it('writeCorrupt writes text that is not JSON, or JSON that is no session, readable for an hour on a new sid', async () => {
    const { store } = storeOn();
    await referenceInspector.writeCorrupt(store, 'text', 'not-json');
    const text = String(await referenceInspector.rawValue(store, 'text'));
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    await referenceInspector.writeCorrupt(store, 'shape', 'wrong-shape');
    expect(JSON.parse(String(await referenceInspector.rawValue(store, 'shape')))).toBeInstanceOf(Array);
    for (const sid of ['text', 'shape'])
      expect(await failure(store.get(sid))).toMatchObject({ code: ReferenceErrorCode.corrupt });
    expect(await referenceInspector.rawTtlMs(store, 'text')).toBeGreaterThan(3_500_000);
    await store.set('kept', { cookie: liveCookie() } as Loose);
    await referenceInspector.writeCorrupt(store, 'kept', 'wrong-shape');
    expect(await referenceInspector.rawTtlMs(store, 'kept')).toBeLessThanOrEqual(60_000);
  });

  it('passes faultTimeoutMs and recoveryTimeoutMs on when given, and leaves them out otherwise', () => {
    expect(referenceConformanceOptions({ faultTimeoutMs: 123, recoveryTimeoutMs: 456 })).toMatchObject({
      faultTimeoutMs: 123,
      recoveryTimeoutMs: 456,
    });
    const defaults = referenceConformanceOptions();
    expect('faultTimeoutMs' in defaults || 'recoveryTimeoutMs' in defaults).toBe(false);
    expect(defaults.name).toBe('ReferenceStore');
    expect(referenceConformanceOptions({ name: 'Other' }).name).toBe('Other');
  });
});
