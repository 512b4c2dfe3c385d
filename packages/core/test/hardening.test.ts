import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { MAX_EXPIRES_AT, sanitizeCause, StoreErrorCode, type DecodeErrorEvent } from '../src';
import { MapStore, PruningStore, sessionExpiringIn } from './map-store';

const withExpires = (expires: unknown, extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: null, expires, httpOnly: true, path: '/' }, ...extra }) as unknown as SessionData;

/** Every string reachable from `value`: own properties (enumerable or not), causes, arrays. */
function stringsIn(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (key === 'stack') continue;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor && 'value' in descriptor) found.push(...stringsIn(descriptor.value, seen));
  }
  return found;
}

describe('lifetimes that are not finite or not representable are invalid arguments, before any backend call', () => {
  const refused = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e300, 1e15, '60', undefined];
  for (const returned of refused) {
    it(`a ttl function returning ${String(returned)}`, async () => {
      const store = new PruningStore({ ttl: () => returned as number });
      for (const method of ['set', 'touch'] as const) {
        await expect(store[method]('sid-ttl', sessionExpiringIn(60_000))).rejects.toMatchObject({
          code: StoreErrorCode.invalidArgument,
          message: expect.stringMatching(new RegExp(`^MapStore\\.${method} failed: the ttl function returned`)),
        });
      }
      expect(store.calls).toEqual([]);
      expect(store.records.size).toBe(0);
    });
  }

  it('a cookie.expires after 9999-12-31T23:59:59.999Z (a valid JS Date, up to year 275760)', async () => {
    const store = new PruningStore();
    for (const expires of [new Date(8.64e15), new Date(MAX_EXPIRES_AT + 1), '+010000-01-01T00:00:00.000Z']) {
      for (const method of ['set', 'touch'] as const) {
        await expect(store[method]('sid-far', withExpires(expires))).rejects.toMatchObject({
          code: StoreErrorCode.invalidArgument,
          message: expect.stringMatching(/cookie\.expires is after 9999-12-31T23:59:59\.999Z/),
        });
      }
    }
    expect(store.calls).toEqual([]);
    expect(store.records.size).toBe(0);
    await store.set('sid-last', withExpires(new Date(MAX_EXPIRES_AT)));
    expect(store.records.get('sid-last')?.expiresAt).toBe(MAX_EXPIRES_AT);
  });

  it('a ttl option whose expiry would pass year 9999 is refused at construction, naming the option', () => {
    expect(() => new MapStore({ ttl: 1e15 })).toThrow(/option "ttl" must be a number from 0 to \d+/);
    expect(() => new MapStore({ ttl: Number.POSITIVE_INFINITY })).toThrow(/option "ttl"/);
    expect(() => new MapStore({ ttl: 400 * 86_400 })).not.toThrow();
  });
});

describe('express-session compatibility of odd cookie expiries', () => {
  it('an Invalid Date cookie.expires is kept as JSON keeps it (null) and gets the default lifetime', async () => {
    const store = new MapStore();
    const before = Date.now();
    await store.set('sid-invalid-date', withExpires(new Date(Number.NaN), { n: 1 }));
    const record = store.records.get('sid-invalid-date')!;
    expect(JSON.parse(record.payload)).toMatchObject({ cookie: { expires: null }, n: 1 });
    expect(record.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(await store.get('sid-invalid-date')).toMatchObject({ cookie: { expires: null }, n: 1 });
    await expect(store.touch('sid-invalid-date', withExpires(new Date(Number.NaN)))).resolves.toBeUndefined();
  });

  it('a BigInt cookie.expires is invalid input, not a backend error', async () => {
    const store = new PruningStore();
    for (const method of ['set', 'touch'] as const) {
      await expect(store[method]('sid-bigint', withExpires(10n))).rejects.toMatchObject({
        code: StoreErrorCode.invalidArgument,
        message: `MapStore.${method} failed: cookie.expires is not a valid date: got a BigInt`,
      });
    }
    expect(store.calls).toEqual([]);
  });

  it('a BigInt in session data is a serialization error, not a backend error', async () => {
    const store = new MapStore();
    await expect(store.set('sid-bigint-data', sessionExpiringIn(60_000, { big: 10n }))).rejects.toMatchObject({
      code: StoreErrorCode.serialize,
    });
  });
});

describe('distinct sids address distinct records: sids that are not well-formed UTF-16 are refused', () => {
  // Both become "a\uFFFD" in UTF-8, the form every backend's keys are sent in.
  const lone = ['a\uD800', 'a\uDC00', '\uDFFFb', 'x\uD83D'];

  it('set fails with ERR_SESSION_STORE_INVALID_ARGUMENT; get and inspect miss; touch and destroy do nothing; no hook runs', async () => {
    const store = new PruningStore();
    for (const sid of lone) {
      await expect(store.set(sid, sessionExpiringIn(60_000))).rejects.toMatchObject({
        code: StoreErrorCode.invalidArgument,
        message: expect.stringMatching(/^MapStore\.set failed: the sid is not well-formed UTF-16/),
      });
      expect(await store.get(sid)).toBeNull();
      expect(await store.inspect(sid)).toBeNull();
      await store.touch(sid, sessionExpiringIn(60_000));
      await store.destroy(sid);
    }
    expect(store.calls).toEqual([]);
    expect(store.records.size).toBe(0);
  });

  it('well-formed sids with surrogate pairs are stored as usual', async () => {
    const store = new MapStore();
    await store.set('emoji-\uD83D\uDE00', sessionExpiringIn(60_000, { n: 1 }));
    expect(await store.get('emoji-\uD83D\uDE00')).toMatchObject({ n: 1 });
  });
});

describe('no error or event carries a sid or session contents', () => {
  const sid = 'SECRET-SID-0123456789abcdef';
  const payload = '{"secret":"SESSION-CONTENTS"}';
  const leaks = (value: unknown) =>
    stringsIn(value).filter((text) => text.includes(sid) || text.includes('SESSION-CONTENTS'));

  /** Errors shaped as the drivers make them: what each attaches of the call it failed. */
  function driverErrors(): Error[] {
    const ioredis = Object.assign(new Error(`WRONGTYPE Operation against a key holding the wrong kind of value`), {
      name: 'ReplyError',
      command: { name: 'set', args: [`sess:${sid}`, payload, 'PX', '60000'] },
    });
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "session_pkey"'), {
      code: '23505',
      severity: 'ERROR',
      detail: `Key (sid)=(${sid}) already exists.`,
      where: `SQL statement "INSERT ... VALUES ('${sid}', '${payload}')"`,
    });
    const mongo = Object.assign(new Error(`E11000 duplicate key error dup key: { _id: "${sid}" }`), {
      name: 'MongoServerError',
      code: 11000,
      codeName: 'DuplicateKey',
      keyValue: { _id: sid },
      errInfo: { failingDocument: { _id: sid, session: payload } },
      errorResponse: { errmsg: sid },
    });
    const nested = new Error('connection lost', {
      cause: Object.assign(new Error(`while sending ${sid}`), { args: [payload] }),
    });
    const aggregate = new AggregateError(
      [Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED', port: 6379 }), { sid, payload }],
      sid,
    );
    return [ioredis, pg, mongo, nested, aggregate];
  }

  it('a backend error keeps its name, message, stack frames and codes, without what the driver attached', async () => {
    for (const [index, driverError] of driverErrors().entries()) {
      const store = new MapStore();
      store.fail = driverError;
      // A call for one sid scrubs that sid from messages too. An enumeration knows no sid to
      // scrub: it is checked with the errors whose messages name none (what drivers attach is
      // dropped either way).
      const enumerations = index < 2 ? [() => store.all()] : [];
      for (const call of [
        () => store.get(sid),
        () => store.set(sid, sessionExpiringIn(60_000, { secret: 'SESSION-CONTENTS' })),
        () => store.touch(sid, sessionExpiringIn(60_000, { secret: 'SESSION-CONTENTS' })),
        () => store.destroy(sid),
        ...enumerations,
      ]) {
        const error = await call().then(
          () => expect.unreachable('the call should fail'),
          (failure: unknown) => failure,
        );
        expect(error).toMatchObject({ code: StoreErrorCode.backend });
        expect(leaks(error), `${driverError.name} ${call.toString()}`).toEqual([]);
        expect(JSON.stringify(error)).not.toMatch(/SECRET-SID|SESSION-CONTENTS/);
        expect(String((error as Error).stack)).not.toContain(sid);
        const cause = (error as Error).cause as Record<string, unknown>;
        expect(cause).toBeInstanceOf(Error);
        expect(cause.name).toBe(driverError.name);
        for (const field of ['code', 'codeName', 'severity'])
          if ((driverError as unknown as Record<string, unknown>)[field] !== undefined)
            expect(cause[field]).toBe((driverError as unknown as Record<string, unknown>)[field]);
      }
    }
  });

  it('sanitizeCause scrubs the sid from a message and keeps the rest of it', () => {
    const copy = sanitizeCause(new Error(`no reply for ${sid} in time`), [sid]);
    expect(copy.message).toBe('no reply for <sid> in time');
    expect(copy.stack).toMatch(/^Error: no reply for <sid> in time\n\s+at /);
  });

  it('a warning keeps a copy of its cause without what the driver attached', async () => {
    const store = new PruningStore();
    const warnings: Error[] = [];
    store.on('warning', (warning: Error) => warnings.push(warning));
    store.report('ERR_TEST', 'background failure', driverErrors()[0]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toHaveLength(1);
    expect(leaks(warnings[0])).toEqual([]);
  });

  it('a decodeError event gives the sid to the app, but a logger serializing it writes neither sid nor contents', async () => {
    const store = new MapStore();
    const events: DecodeErrorEvent[] = [];
    store.on('decodeError', (event: DecodeErrorEvent) => events.push(event));
    store.records.set(sid, { payload: `not json ${payload}`, expiresAt: Date.now() + 60_000 });
    expect(await store.get(sid)).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]!.sid).toBe(sid);
    expect(JSON.stringify(events[0])).not.toMatch(/SECRET-SID/);
    expect(events[0]!.error).toBeInstanceOf(Error);
  });
});
