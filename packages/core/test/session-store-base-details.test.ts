import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';
import { captureProcessFaults } from '@session-stores/conformance';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_EXPIRES_AT,
  SessionStoreBase,
  SessionStoreWarningCode,
  StoreErrorCode,
  type DecodeErrorEvent,
  type RecordInspection,
  type StoredRecord,
  type SessionStoreWarning,
  type StoredEntry,
} from '../src';
import { MapStore, MinimalStore, PruningStore, sessionExpiringIn } from './map-store';

// The base's finer points, each pinned by a test that fails when the point is lost: argument
// checks and their messages, capabilities derived from the hooks, boundaries of expiry and
// size, and what happens to a backend's page iterator when a listing stops early.

afterEach(() => {
  vi.restoreAllMocks();
});

const expiresOf = (session: SessionData | null) => (session?.cookie as unknown as { expires?: unknown }).expires;

describe('argument checks, in every operation that takes a sid or a session', () => {
  const session = sessionExpiringIn(60_000);
  const calls = {
    get: (store: MapStore, sid: unknown) => store.get(sid as string),
    set: (store: MapStore, sid: unknown) => store.set(sid as string, session),
    touch: (store: MapStore, sid: unknown) => store.touch(sid as string, session),
    destroy: (store: MapStore, sid: unknown) => store.destroy(sid as string),
  };

  for (const [operation, call] of Object.entries(calls)) {
    it(`${operation}(sid) refuses an empty sid and a non-string one, saying which`, async () => {
      const store = new MapStore();
      await expect(call(store, '')).rejects.toMatchObject({
        code: StoreErrorCode.invalidArgument,
        message: `MapStore.${operation} failed: sid must be a non-empty string, got an empty string`,
      });
      await expect(call(store, 42)).rejects.toMatchObject({
        code: StoreErrorCode.invalidArgument,
        message: `MapStore.${operation} failed: sid must be a non-empty string, got number`,
      });
    });
  }

  for (const operation of ['set', 'touch'] as const) {
    it(`${operation}(sid, session) refuses a session that is not an object, saying what it got`, async () => {
      const store = new MapStore();
      const cases: [unknown, string][] = [
        [null, 'null'],
        [[1], 'an array'],
        ['text', 'string'],
      ];
      for (const [bad, got] of cases) {
        await expect(store[operation]('sid', bad as SessionData)).rejects.toMatchObject({
          code: StoreErrorCode.invalidArgument,
          message: `MapStore.${operation} failed: session must be an object, got ${got}`,
        });
      }
      expect(store.records.size).toBe(0);
    });
  }
});

describe('what a serializer throws', () => {
  const throwing = (thrown: unknown) =>
    new MapStore({
      serializer: {
        stringify: () => {
          throw thrown;
        },
        parse: JSON.parse,
      },
    });

  it('is named by its message when it is an Error, and as text otherwise', async () => {
    await expect(throwing(new Error('no way')).set('sid', sessionExpiringIn(60_000))).rejects.toMatchObject({
      code: StoreErrorCode.serialize,
      message: 'MapStore.set failed: the session cannot be serialized: no way',
    });
    await expect(throwing('plain text').set('sid', sessionExpiringIn(60_000))).rejects.toMatchObject({
      code: StoreErrorCode.serialize,
      message: 'MapStore.set failed: the session cannot be serialized: plain text',
    });
    await expect(throwing(null).set('sid', sessionExpiringIn(60_000))).rejects.toMatchObject({
      code: StoreErrorCode.serialize,
      message: 'MapStore.set failed: the session cannot be serialized: null',
    });
  });
});

describe('capabilities and options', () => {
  it('the userId option needs both listUserRecords and deleteUserRecords', () => {
    class ListsOnly extends MapStore {
      protected override async listUserRecords(): Promise<StoredEntry[]> {
        return [];
      }
    }
    class DeletesOnly extends MapStore {
      protected override async deleteUserRecords(): Promise<number> {
        return 0;
      }
    }
    class Both extends ListsOnly {
      protected override async deleteUserRecords(): Promise<number> {
        return 0;
      }
      get userIndex(): boolean {
        return this.indexesUsers;
      }
    }
    const userId = () => null;
    expect(() => new ListsOnly({ userId })).toThrow(/option "userId"/);
    expect(() => new DeletesOnly({ userId })).toThrow(/option "userId"/);
    const both = new Both({ userId });
    expect(both.capabilities.sessionsByUser).toBe(true);
    expect(both.userIndex).toBe(true);
    expect(new Both().userIndex).toBe(false);
  });

  it('encrypts says whether sessions are encrypted (a store then rewrites the record on touch)', () => {
    class Probe extends MinimalStore {
      get encrypted(): boolean {
        return this.encrypts;
      }
    }
    expect(new Probe().encrypted).toBe(false);
    expect(new Probe({ encryption: { secret: randomBytes(32) } }).encrypted).toBe(true);
  });

  it("a description with only the store's name gives the core's defaults", () => {
    class BareDescription extends SessionStoreBase {
      constructor() {
        super({ storeName: 'BareStore' }, undefined);
      }
      protected async readRecord(): Promise<StoredRecord | null> {
        return null;
      }
      protected async writeRecord(): Promise<void> {}
      protected async refreshExpiry(): Promise<void> {}
      protected async deleteRecord(): Promise<void> {}
    }
    expect(new BareDescription().capabilities).toMatchObject({
      ttlGranularityMs: 1,
      maxSessionBytes: null,
      persistent: true,
      defaultTtlMs: 86_400_000,
      sessionsByUser: false,
    });
  });

  it('accepts a ttl up to the last representable expiry, and refuses one a second longer', () => {
    // Half a second past a whole second before the last instant, so rounding the limit matters.
    const now = MAX_EXPIRES_AT - 1_000_000_500;
    vi.spyOn(Date, 'now').mockReturnValue(now);
    expect(new MapStore({ ttl: 1_000_000 }).capabilities.defaultTtlMs).toBe(1_000_000_000);
    expect(() => new MapStore({ ttl: 1_000_001 })).toThrow(/option "ttl"/);
  });

  it('refuses a negative ttl or touchAfter', () => {
    expect(() => new MapStore({ ttl: -1 })).toThrow(/option "ttl"/);
    expect(() => new MapStore({ touchAfter: -1 })).toThrow(/option "touchAfter"/);
  });

  it('a method made absent is an ordinary absent property: not listed, and an app may still set it', () => {
    const store = new MinimalStore({ disableTouch: true }) as unknown as Record<string, unknown>;
    expect(Object.keys(store)).not.toContain('touch');
    const wrapper = () => 'wrapped';
    store.touch = wrapper;
    expect(store.touch).toBe(wrapper);
    expect(delete store.touch).toBe(true);
  });
});

describe('expiry boundaries', () => {
  it('a record is expired at its expiry instant', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(60_000));
    const now = Date.now();
    store.records.get('sid')!.expiresAt = now;
    vi.spyOn(Date, 'now').mockReturnValue(now);
    expect(await store.get('sid')).toBeNull();
  });

  it('with a ttl function, get keeps the cookie the app set (the backend expiry is the ttl)', async () => {
    const store = new MapStore({ ttl: () => 3600 });
    const session = sessionExpiringIn(60_000);
    await store.set('sid', session);
    expect(store.records.get('sid')!.expiresAt - Date.now()).toBeGreaterThan(3_000_000);
    expect(expiresOf(await store.get('sid'))).toBe(expiresOf(session));
  });

  it('get keeps a missing or false cookie.expires as it is', async () => {
    const store = new MapStore();
    await store.set('none', { cookie: { originalMaxAge: null } } as unknown as SessionData);
    await store.set('false', { cookie: { originalMaxAge: null, expires: false } } as unknown as SessionData);
    expect(await store.get('none')).toEqual({ cookie: { originalMaxAge: null } });
    expect(await store.get('false')).toEqual({ cookie: { originalMaxAge: null, expires: false } });
  });

  it('touchedCookieJson gives null for a cookie that is not an object', () => {
    expect(new PruningStore().cookieJson({ cookie: 'text' } as unknown as SessionData)).toBeNull();
  });
});

describe('touchAfter', () => {
  it('is in seconds: a touch half a second after the write is skipped with touchAfter 1', async () => {
    const store = new MapStore({ touchAfter: 1 });
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    await store.set('sid', sessionExpiringIn(10_000));
    const written = store.records.get('sid')!.expiresAt;
    clock.mockReturnValue(start + 500);
    await store.touch('sid', sessionExpiringIn(50_000));
    expect(store.records.get('sid')!.expiresAt).toBe(written);
  });

  it('learns from get when another instance wrote: a write long ago does not hold a touch back', async () => {
    const store = new MapStore({ touchAfter: 10 });
    // Written 59 s ago with a one-minute lifetime, by another instance.
    const cookie = { originalMaxAge: 60_000, expires: new Date(Date.now() + 1_000).toISOString() };
    store.records.set('sid', { payload: JSON.stringify({ cookie }), expiresAt: Date.now() + 1_000 });
    await store.get('sid');
    await store.touch('sid', sessionExpiringIn(60_000));
    expect(store.records.get('sid')!.expiresAt - Date.now()).toBeGreaterThan(30_000);
  });

  it('off (the default), a touch after get always moves the expiry, whatever the cookie says', async () => {
    const store = new MapStore();
    // A cookie whose originalMaxAge is shorter than its remaining lifetime.
    const cookie = { originalMaxAge: 1_000, expires: new Date(Date.now() + 60_000).toISOString() };
    store.records.set('sid', { payload: JSON.stringify({ cookie }), expiresAt: Date.now() + 60_000 });
    await store.get('sid');
    await store.touch('sid', sessionExpiringIn(120_000));
    expect(store.records.get('sid')!.expiresAt - Date.now()).toBeGreaterThan(90_000);
  });
});

describe('the size limit', () => {
  it('accepts a session of exactly maxSessionBytes', async () => {
    const session = sessionExpiringIn(60_000, { v: 'x' });
    const size = Buffer.byteLength(JSON.stringify(session), 'utf8');
    await expect(new MapStore({}, { maxSessionBytes: size }).set('sid', session)).resolves.toBeUndefined();
    await expect(new MapStore({}, { maxSessionBytes: size - 1 }).set('sid', session)).rejects.toMatchObject({
      code: StoreErrorCode.tooLarge,
    });
  });
});

describe('the expiry sealed with an encrypted session, at the edge of the slack', () => {
  const key = randomBytes(32);

  async function warningsFor(storedLaterByMs: number): Promise<SessionStoreWarning[]> {
    const store = new MapStore({ encryption: { secret: key } });
    const warnings: SessionStoreWarning[] = [];
    store.on('warning', (warning: SessionStoreWarning) => warnings.push(warning));
    await store.set('sid', sessionExpiringIn(60_000));
    store.records.get('sid')!.expiresAt += storedLaterByMs;
    expect(await store.get('sid')).not.toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    return warnings;
  }

  it('a stored expiry up to one granularity step and 2 s later is not reported; later is', async () => {
    expect(await warningsFor(1_000)).toEqual([]);
    expect(await warningsFor(2_001)).toEqual([]);
    const reported = await warningsFor(2_002);
    expect(reported.map((warning) => warning.code)).toEqual([SessionStoreWarningCode.expiryMismatch]);
  });
});

describe("a backend's page iterator", () => {
  /** An iterator whose pages never come, as over a dead connection, and that records its release. */
  function stuckPages(released: string[], name: string, returns: 'promise' | 'nothing' | 'rejection') {
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => new Promise<IteratorResult<never>>(() => {}),
      return: () => {
        released.push(name);
        if (returns === 'nothing') return undefined;
        return returns === 'promise'
          ? Promise.resolve({ done: true, value: undefined })
          : Promise.reject(new Error('cursor already closed'));
      },
    } as unknown as AsyncIterable<never> & AsyncIterator<never>;
  }

  class StuckStore extends MinimalStore {
    readonly released: string[] = [];
    returns: 'promise' | 'nothing' | 'rejection' = 'promise';
    protected override listRecords(): AsyncIterable<StoredEntry[]> {
      return stuckPages(this.released, 'records', this.returns);
    }
    protected override listIds(): AsyncIterable<string[]> {
      return stuckPages(this.released, 'ids', this.returns);
    }
    protected override deleteAllRecords(): AsyncIterable<unknown> {
      return stuckPages(this.released, 'clear', this.returns);
    }
  }

  for (const returns of ['promise', 'nothing', 'rejection'] as const) {
    it(`is released when a page times out (its return() giving ${returns}), and the call fails with the timeout`, async () => {
      const store = new StuckStore({ operationTimeoutMs: 30 });
      store.returns = returns;
      const { faults } = await captureProcessFaults(async () => {
        await expect(store.all()).rejects.toMatchObject({ code: StoreErrorCode.timeout, operation: 'all' });
        await expect(store.ids()).rejects.toMatchObject({ code: StoreErrorCode.timeout, operation: 'ids' });
        await expect(store.clear()).rejects.toMatchObject({ code: StoreErrorCode.timeout, operation: 'clear' });
      });
      expect(store.released).toEqual(['records', 'ids', 'clear']);
      expect(faults).toEqual([]);
    });
  }

  it('is released when iterate() stops early', async () => {
    let released = false;
    class Paged extends MapStore {
      protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
        try {
          yield* super.listRecords();
        } finally {
          released = true;
        }
      }
    }
    const store = new Paged();
    for (const sid of ['a', 'b', 'c', 'd', 'e']) await store.set(sid, sessionExpiringIn(60_000));
    for await (const entry of store.iterate()) {
      expect(entry.sid).toBe('a');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(true);
  });

  it('iterate() on a closed store fails with ERR_SESSION_STORE_CLOSED, before reaching the backend', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(60_000));
    await store.close();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const { sid } of store.iterate()) seen.push(sid);
      })(),
    ).rejects.toMatchObject({ code: StoreErrorCode.closed });
    expect(seen).toEqual([]);
  });
});

describe('length() on a backend that counts', () => {
  it('asks countRecords instead of listing every sid', async () => {
    class Counting extends MapStore {
      protected override async countRecords(): Promise<number> {
        return 7;
      }
    }
    const store = new Counting();
    await store.set('sid', sessionExpiringIn(60_000));
    expect(await store.length()).toBe(7);
  });
});

describe('close()', () => {
  it('fails with the store and operation when the backend fails to close', async () => {
    class FailingClose extends MinimalStore {
      protected override async closeBackend(): Promise<void> {
        throw new Error('socket hang up');
      }
    }
    await expect(new FailingClose().close()).rejects.toMatchObject({
      code: StoreErrorCode.backend,
      message: 'MinimalStore.close failed: socket hang up',
    });
  });

  it('stops the prune timer, which cannot be started again after close', async () => {
    const store = new PruningStore();
    const warnings: unknown[] = [];
    store.on('warning', (warning) => warnings.push(warning));
    store.runPruneTimer(5);
    store.runPruneTimer(5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.close();
    store.runPruneTimer(5);
    const runs = store.pruneRuns;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.pruneRuns).toBe(runs);
    expect(warnings).toEqual([]);
  });
});

describe('a serializer whose parse is asynchronous', () => {
  it('where the session is needed now (rewriteCookie), it is a decode error, and whatever it rejects with is no unhandled rejection', async () => {
    class Rewriting extends MapStore {
      rewrite(sid: string): string | null {
        const record = this.records.get(sid)!;
        return this.rewriteCookie('touch', sid, record.payload, sessionExpiringIn(60_000), Date.now() + 60_000);
      }
    }
    // A rejection that cannot even be described: reporting it fails too.
    const indescribable = {
      get message(): string {
        throw new Error('no message');
      },
    };
    const store = new Rewriting({
      serializer: { stringify: JSON.stringify, parse: () => Promise.reject(indescribable) },
    });
    const decodeErrors: { error: Error }[] = [];
    store.on('decodeError', (event: { error: Error }) => decodeErrors.push(event));
    await store.set('sid', sessionExpiringIn(60_000));
    const { value, faults } = await captureProcessFaults(async () => store.rewrite('sid'));
    expect(value).toBeNull();
    expect(faults).toEqual([]);
    expect(decodeErrors.map((event) => event.error.message)).toEqual([
      "the serializer's parse returned a Promise where a value is needed",
    ]);
  });

  it('get and the listings await it', async () => {
    const store = new MapStore({
      serializer: { stringify: JSON.stringify, parse: async (text: string) => JSON.parse(text) as unknown },
    });
    await store.set('sid', sessionExpiringIn(60_000, { n: 1 }));
    expect(await store.get('sid')).toMatchObject({ n: 1 });
    expect(await store.all()).toMatchObject([{ id: 'sid', n: 1 }]);
  });
});

describe('a sid the backend cannot hold reaches no hook', () => {
  class Recording extends PruningStore {
    protected override async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
      this.calls.push(`refresh ${sid}`);
      return super.refreshExpiry(sid, expiresAt, session);
    }

    protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
      this.calls.push(`inspect ${sid}`);
      return super.inspectRecord(sid);
    }
  }

  it('not touch, live or expired, nor inspect, even when the backend holds such a record', async () => {
    const store = new Recording();
    store.records.set('a!b', { payload: JSON.stringify(sessionExpiringIn(60_000)), expiresAt: Date.now() + 60_000 });
    await store.touch('a!b', sessionExpiringIn(120_000));
    await store.touch('a!b', sessionExpiringIn(-1_000));
    expect(await store.inspect('a!b')).toBeNull();
    expect(store.calls).toEqual([]);
    await store.touch('ab', sessionExpiringIn(60_000));
    expect(await store.inspect('ab')).toBeNull();
    expect(store.calls).toEqual(['refresh ab', 'inspect ab']);
  });
});

describe('records a backend gives in other shapes', () => {
  const past = () => new Date(Date.now() - 1_000).toISOString();
  const future = () => new Date(Date.now() + 60_000).toISOString();

  it('a payload the backend keeps as an object (a document) is read as it is', async () => {
    const store = new MapStore();
    const payload = { cookie: { originalMaxAge: null, expires: null }, n: 1 };
    store.records.set('sid', { payload: payload as never, expiresAt: Date.now() + 60_000 });
    expect(await store.get('sid')).toEqual(payload);
  });

  it('without a stored expiry (null), the cookie decides, and an unreadable one is no expiry', async () => {
    const store = new MapStore();
    const record = (expires: unknown) => ({
      payload: JSON.stringify({ cookie: { originalMaxAge: 1, expires } }),
      expiresAt: null as never,
    });
    store.records.set('past', record(past()));
    store.records.set('future', record(future()));
    store.records.set('garbage', record('not a date'));
    expect(await store.get('past')).toBeNull();
    expect(expiresOf(await store.get('future'))).toBe(JSON.parse(store.records.get('future')!.payload).cookie.expires);
    expect(await store.get('garbage')).not.toBeNull();
  });

  it('encrypted, without a stored expiry, the sealed one is the expiry', async () => {
    const store = new MapStore({ encryption: { secret: randomBytes(32) } });
    await store.set('sid', sessionExpiringIn(60_000));
    const sealed = store.records.get('sid')!.expiresAt;
    store.records.get('sid')!.expiresAt = null as never;
    expect(new Date(expiresOf(await store.get('sid')) as string).getTime()).toBe(sealed);
  });

  it('a session whose cookie is null is read back with it', async () => {
    const store = new MapStore();
    await store.set('sid', { cookie: null } as unknown as SessionData);
    expect(await store.get('sid')).toEqual({ cookie: null });
  });

  it('touchedCookieJson gives null for a cookie whose JSON is nothing', () => {
    const session = { cookie: { toJSON: () => undefined } } as unknown as SessionData;
    expect(new PruningStore().cookieJson(session)).toBeNull();
  });
});

describe('rewriting the cookie inside a stored payload', () => {
  class Rewriting extends MapStore {
    rewrite(sid: string, touched: SessionData): string | null {
      return this.rewriteCookie('touch', sid, this.records.get(sid)!.payload, touched, Date.now() + 60_000);
    }
    rewriteAwaiting(sid: string, touched: SessionData): Promise<string | null> {
      return this.rewriteCookieAwaiting('touch', sid, this.records.get(sid)!.payload, touched, Date.now() + 60_000);
    }
  }
  const asyncJson = { stringify: JSON.stringify, parse: async (text: string) => JSON.parse(text) as unknown };

  it('keeps the stored data and takes the touched cookie, or null when the touched session has none', async () => {
    const store = new Rewriting();
    await store.set('sid', sessionExpiringIn(60_000, { n: 'stored' }));
    const touched = sessionExpiringIn(120_000, { n: 'stale' });
    expect(JSON.parse(store.rewrite('sid', touched)!)).toEqual({
      n: 'stored',
      cookie: JSON.parse(JSON.stringify(touched.cookie)),
    });
    expect(JSON.parse(store.rewrite('sid', {} as SessionData)!)).toEqual({ n: 'stored', cookie: null });
  });

  it('awaiting a serializer whose parse is asynchronous; null for an unreadable payload', async () => {
    const store = new Rewriting({ serializer: asyncJson });
    store.on('decodeError', () => {});
    await store.set('sid', sessionExpiringIn(60_000, { n: 'stored' }));
    const touched = sessionExpiringIn(120_000, { n: 'stale' });
    expect(JSON.parse((await store.rewriteAwaiting('sid', touched))!)).toEqual({
      n: 'stored',
      cookie: JSON.parse(JSON.stringify(touched.cookie)),
    });
    store.records.get('sid')!.payload = '{"cookie": not json';
    expect(await store.rewriteAwaiting('sid', touched)).toBeNull();
  });

  it('reports why a payload could not be opened before an asynchronous parse, not a later symptom', async () => {
    const key = { key: Buffer.alloc(32, 7).toString('base64') };
    const plain = new Rewriting({ serializer: asyncJson });
    await plain.set('sid', sessionExpiringIn(60_000, { n: 'plaintext' }));
    const strict = new Rewriting({ serializer: asyncJson, encryption: { secret: key } });
    strict.records.set('sid', plain.records.get('sid')!);
    const events: { error: Error }[] = [];
    strict.on('decodeError', (event: { error: Error }) => events.push(event));
    expect(await strict.rewriteAwaiting('sid', sessionExpiringIn(120_000))).toBeNull();
    expect(events.map((event) => event.error.message)).toEqual([
      'the session is not encrypted and encryption.acceptPlaintext is off',
    ]);
  });
});

describe('touch with an expiry already past', () => {
  it('deletes the record instead of moving its expiry', async () => {
    const store = new MapStore();
    await store.set('sid', sessionExpiringIn(60_000));
    await store.touch('sid', sessionExpiringIn(-1_000));
    expect(store.records.has('sid')).toBe(false);
  });
});

describe('touchAfter forgets a sid the store deleted', () => {
  // The store then knows nothing of the sid's next write (another instance may make it), so
  // the first touch after a delete goes through.
  const deletions = {
    destroy: (store: MapStore) => store.destroy('sid'),
    'set of an expired session': (store: MapStore) => store.set('sid', sessionExpiringIn(-1_000)),
  };
  for (const [name, remove] of Object.entries(deletions)) {
    it(`after ${name}`, async () => {
      const store = new MapStore({ touchAfter: 60 });
      await store.set('sid', sessionExpiringIn(10_000));
      await remove(store);
      expect(store.records.has('sid')).toBe(false);
      store.records.set('sid', { payload: JSON.stringify(sessionExpiringIn(10_000)), expiresAt: Date.now() + 10_000 });
      await store.touch('sid', sessionExpiringIn(120_000));
      expect(store.records.get('sid')!.expiresAt - Date.now()).toBeGreaterThan(60_000);
    });
  }
});

describe('close() twice', () => {
  it('closes the backend once', async () => {
    let closes = 0;
    class Counting extends MinimalStore {
      protected override async closeBackend(): Promise<void> {
        closes += 1;
      }
    }
    const store = new Counting();
    await store.close();
    await store.close();
    expect(closes).toBe(1);
  });
});

describe('the decodeError event', () => {
  it('carries the sid as a property a logger does not list, and an app may still redact', async () => {
    const store = new MapStore();
    const events: DecodeErrorEvent[] = [];
    store.on('decodeError', (event: DecodeErrorEvent) => events.push(event));
    store.records.set('the-sid', { payload: '{"cookie": not json', expiresAt: Date.now() + 60_000 });
    expect(await store.get('the-sid')).toBeNull();
    expect(events).toHaveLength(1);
    expect(Object.getOwnPropertyDescriptor(events[0], 'sid')).toEqual({
      value: 'the-sid',
      enumerable: false,
      writable: true,
      configurable: true,
    });
  });
});
