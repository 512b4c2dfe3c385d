import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { SessionData } from 'express-session';
import { ReferenceBackend, ReferenceStore, ReferenceStoreError, type ReferenceRecord } from '../src/reference-store';
import type { StoreContext, StoreUnderTest } from '../src/types';

/**
 * Stores that each break one clause of CONTRACT.md, most of them in a way a real store has
 * (see ANCHORS.md). Each is the reference store with one thing done wrong. The self-test runs
 * the cases of the broken clause against each and expects at least one to fail.
 */
export interface BrokenStore {
  /** The clauses it breaks; the suite must fail on each. */
  clauses: number[];
  name: string;
  flaw: string;
  create(backend: ReferenceBackend, namespace: string, userId: StoreContext['userId']): StoreUnderTest;
}

type Callback<T> = (error: unknown, value?: T) => void;
type Session = SessionData & Record<string, unknown>;

const make =
  <T extends ReferenceStore>(Store: new (options: { backend: ReferenceBackend; namespace: string }) => T) =>
  (backend: ReferenceBackend, namespace: string): StoreUnderTest =>
    new Store({ backend, namespace });

/** For the by-user clauses (57-62): the store made with the suite's `userId` option. */
const makeByUser =
  <T extends ReferenceStore>(
    Store: new (options: { backend: ReferenceBackend; namespace: string; userId: StoreContext['userId'] }) => T,
  ) =>
  (backend: ReferenceBackend, namespace: string, userId: StoreContext['userId']): StoreUnderTest =>
    new Store({ backend, namespace, userId });

function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|\\/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return new RegExp(`^${glob.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  }
}

function isEmptyContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** C1: an EventEmitter with the store methods, but not a session.Store. */
class NotAStore extends EventEmitter {
  readonly capabilities: ReferenceStore['capabilities'];
  constructor(private readonly inner: ReferenceStore) {
    super();
    this.capabilities = inner.capabilities;
  }
  get(sid: string, cb?: Callback<unknown>) {
    return this.inner.get(sid, cb);
  }
  set(sid: string, session: SessionData, cb?: Callback<void>) {
    return this.inner.set(sid, session, cb);
  }
  destroy(sid: string, cb?: Callback<void>) {
    return this.inner.destroy(sid, cb);
  }
  touch(sid: string, session: SessionData, cb?: Callback<void>) {
    return this.inner.touch(sid, session, cb);
  }
  all(cb?: Callback<unknown>) {
    return this.inner.all(cb);
  }
  ids(cb?: Callback<string[]>) {
    return this.inner.ids(cb);
  }
  length(cb?: Callback<number>) {
    return this.inner.length(cb);
  }
  clear(cb?: Callback<void>) {
    return this.inner.clear(cb);
  }
  iterate() {
    return this.inner.iterate();
  }
  close() {
    return this.inner.close();
  }
}

class MissAsEmptyObjectStore extends ReferenceStore {
  protected override readSession(sid: string) {
    return super.readSession(sid) ?? {};
  }
}

class DropsCookieFieldsStore extends ReferenceStore {
  protected override readSession(sid: string) {
    const session = super.readSession(sid);
    if (session?.cookie) delete (session.cookie as Record<string, unknown>).originalMaxAge;
    return session;
  }
}

class MergingSetStore extends ReferenceStore {
  protected override writeSession(sid: string, json: string, expiresAt: number) {
    const existing = this.readRecord(sid);
    const merged = existing
      ? { ...(JSON.parse(existing.json) as object), ...(JSON.parse(json) as object) }
      : JSON.parse(json);
    super.writeSession(sid, JSON.stringify(merged), expiresAt);
  }
}

class DestroyUnknownFailsStore extends ReferenceStore {
  protected override deleteSession(sid: string) {
    if (!this.backend.records.has(this.key(sid))) throw new Error(`no session ${sid}`);
    super.deleteSession(sid);
  }
}

class DestroyRejectsUnhandledStore extends ReferenceStore {
  override destroy(sid: string, callback?: Callback<void>) {
    if (callback) return super.destroy(sid, callback);
    // The raw promise, with no handler: express-session ignores it.
    return this.backend.execute(() => this.deleteSession(sid));
  }
}

class ExtraIdKeyStore extends ReferenceStore {
  protected override readSession(sid: string) {
    const session = super.readSession(sid);
    return session ? { ...session, _id: sid } : null;
  }
}

class MutatesInputStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    const result = super.set(sid, session, callback);
    (session as Session).lastModified = Date.now();
    return result;
  }
}

class GlobSidStore extends ReferenceStore {
  protected override deleteSession(sid: string) {
    const pattern = globToRegExp(sid);
    const prefix = `${this.namespace}:`;
    for (const key of this.namespaceKeys())
      if (pattern.test(key.slice(prefix.length))) this.backend.records.delete(key);
  }
}

class ReturnsExpiredStore extends ReferenceStore {
  protected override readRecord(sid: string): ReferenceRecord | null {
    return this.backend.records.get(this.key(sid)) ?? null;
  }
}

class PastExpiryForeverStore extends ReferenceStore {
  protected override writeSession(sid: string, json: string, expiresAt: number) {
    super.writeSession(sid, json, expiresAt <= Date.now() ? Number.POSITIVE_INFINITY : expiresAt);
  }
}

class IgnoresStringExpiresStore extends ReferenceStore {
  protected override expiresAtOf(session: SessionData, now: number) {
    const expires: unknown = session.cookie?.expires;
    return expires instanceof Date ? expires.getTime() : now + this.defaultTtlMs;
  }
}

class NullExpiresForeverStore extends ReferenceStore {
  protected override expiresAtOf(session: SessionData, now: number) {
    const expires: unknown = session.cookie?.expires;
    return expires === null || expires === undefined || expires === false
      ? Number.POSITIVE_INFINITY
      : super.expiresAtOf(session, now);
  }
}

class FixedTtlStore extends ReferenceStore {
  protected override expiresAtOf(_session: SessionData, now: number) {
    return now + 3_600_000;
  }
}

/** Declares 1 s granularity, floors to whole seconds, and a lifetime of 0 s means "no expiry". */
class RoundsTtlDownStore extends ReferenceStore {
  constructor(options: { backend: ReferenceBackend; namespace: string }) {
    super(options);
    this.capabilities.ttlGranularityMs = 1000;
  }
  protected override expiresAtOf(session: SessionData, now: number) {
    const expiresAt = super.expiresAtOf(session, now);
    const seconds = Math.floor((expiresAt - now) / 1000);
    if (expiresAt <= now) return expiresAt;
    return seconds === 0 ? Number.POSITIVE_INFINITY : now + seconds * 1000;
  }
}

/** Memcached's rule applied blindly: a TTL above 30 days is read as an absolute Unix time. */
class ThirtyDayLimitStore extends ReferenceStore {
  protected override expiresAtOf(session: SessionData, now: number) {
    const expiresAt = super.expiresAtOf(session, now);
    const seconds = Math.ceil((expiresAt - now) / 1000);
    return seconds > 30 * 86_400 ? seconds * 1000 : expiresAt;
  }
}

/** Declares 1 ms granularity but expires on whole seconds, rounded up (Redis EX). */
class SecondsButDeclaresMsStore extends ReferenceStore {
  protected override expiresAtOf(session: SessionData, now: number) {
    const expiresAt = super.expiresAtOf(session, now);
    return expiresAt <= now ? expiresAt : now + Math.ceil((expiresAt - now) / 1000) * 1000;
  }
}

class TouchNoopStore extends ReferenceStore {
  protected override touchSession() {}
}

/** connect-redis: touch moves the TTL only; the stored cookie.expires goes stale. */
class TouchOnlyTtlStore extends ReferenceStore {
  protected override touchSession(sid: string, _cookieJson: string, expiresAt: number) {
    const record = this.readRecord(sid);
    if (record) this.backend.records.set(this.key(sid), { json: record.json, expiresAt });
  }
}

/** connect-memcached: touch rewrites the whole session from its (stale) argument. */
class TouchOverwritesStore extends ReferenceStore {
  override touch(sid: string, session: SessionData, callback?: Callback<void>) {
    return this.operation('touch', callback, () => {
      const json = this.serialize(session);
      const expiresAt = this.expiresAtOf(session, Date.now());
      return () => {
        if (this.readRecord(sid)) this.writeSession(sid, json, expiresAt);
      };
    });
  }
}

class TouchCreatesStore extends ReferenceStore {
  protected override touchSession(sid: string, cookieJson: string, expiresAt: number) {
    if (!this.readRecord(sid)) this.writeSession(sid, `{"cookie":${cookieJson}}`, expiresAt);
    else super.touchSession(sid, cookieJson, expiresAt);
  }
}

/** connect-mongo: length() counts records, expired ones included. */
class LengthCountsExpiredStore extends ReferenceStore {
  override length(callback?: Callback<number>) {
    return this.operation('length', callback, () => () => this.namespaceKeys().length);
  }
}

/** connect-mongo: all() returns sessions without their ids. */
class AllWithoutIdsStore extends ReferenceStore {
  override all(callback?: Callback<(SessionData & { id: string })[]>) {
    return this.operation(
      'all',
      callback,
      () => () => this.liveEntries().map(({ session }) => session as unknown as SessionData & { id: string }),
    );
  }
}

/** length() from a counter of writes, so a second set of one sid counts twice. */
class LengthCountsWritesStore extends ReferenceStore {
  private writes = 0;
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    this.writes += 1;
    return super.set(sid, session, callback);
  }
  override destroy(sid: string, callback?: Callback<void>) {
    this.writes = Math.max(0, this.writes - 1);
    return super.destroy(sid, callback);
  }
  override length(callback?: Callback<number>) {
    return this.operation('length', callback, () => () => this.writes);
  }
}

/** clear() calls back at once and deletes later (a fire-and-forget UNLINK). */
class ClearCallsBackEarlyStore extends ReferenceStore {
  override clear(callback?: Callback<void>) {
    return this.operation('clear', callback, () => () => {
      const keys = this.namespaceKeys();
      setTimeout(() => keys.forEach((key) => this.backend.records.delete(key)), 200);
    });
  }
}

/** connect-memcached: clear() is flush_all, wiping every namespace and unrelated data. */
class ClearWipesAllStore extends ReferenceStore {
  override clear(callback?: Callback<void>) {
    return this.operation('clear', callback, () => () => this.backend.records.clear());
  }
}

/** Pages that overlap by one record, as SCAN may return a key twice. */
class OverlappingPagesStore extends ReferenceStore {
  protected override readPage(after: string | null) {
    const page: { sid: string; session: Record<string, unknown> }[] = [];
    const prefixLength = this.namespace.length + 1;
    for (const key of this.namespaceKeys()) {
      const sid = key.slice(prefixLength);
      if (after !== null && sid < after) continue;
      const session = this.readSession(sid);
      if (session) page.push({ sid, session });
      if (page.length === this.pageSize) break;
    }
    return page;
  }
}

/** Says clear is unsupported, but has a clear() that throws. */
class StubMethodsStore extends ReferenceStore {
  constructor(options: { backend: ReferenceBackend; namespace: string }) {
    super(options);
    this.capabilities.clear = false;
  }
  override clear(): never {
    throw new Error('clear() is not supported');
  }
}

/** A read cache that hands out the same object to every get. */
class SharedReferencesStore extends ReferenceStore {
  private readonly cache = new Map<string, { json: string; value: Record<string, unknown> }>();
  protected override readSession(sid: string) {
    const record = this.readRecord(sid);
    if (!record) return null;
    const cached = this.cache.get(sid);
    if (cached && cached.json === record.json) return cached.value;
    const value = this.parse(record.json);
    this.cache.set(sid, { json: record.json, value });
    return value;
  }
}

/** Keeps the object it was given and serializes it only when the backend runs the write. */
class KeepsInputReferenceStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    return this.operation('set', callback, () => {
      const expiresAt = this.expiresAtOf(session, Date.now());
      return () => this.writeSession(sid, this.serialize(session), expiresAt);
    });
  }
}

/** destroy(sid) deletes every key that starts with the sid's key. */
class PrefixDestroyStore extends ReferenceStore {
  protected override deleteSession(sid: string) {
    const key = this.key(sid);
    for (const candidate of this.namespaceKeys()) if (candidate.startsWith(key)) this.backend.records.delete(candidate);
  }
}

/** With the backend down, calls wait forever for a connection (an unbounded offline queue). */
class HangsWhenDownStore extends ReferenceStore {
  protected override operation<T>(name: string, callback: Callback<T> | undefined, prepare: () => () => T) {
    if (this.backend.down) {
      const never = new Promise<T>(() => {});
      return this.deliver(never, callback);
    }
    return super.operation(name, callback, prepare);
  }
  override async *iterate() {
    if (this.backend.down) await new Promise(() => {});
    yield* super.iterate();
  }
}

class ThrowsOnBadSidStore extends ReferenceStore {
  override get(sid: string, callback?: Callback<SessionData | null>) {
    if (typeof sid !== 'string') throw new TypeError('sid must be a string');
    return super.get(sid, callback);
  }
  override destroy(sid: string, callback?: Callback<void>) {
    if (typeof sid !== 'string') throw new TypeError('sid must be a string');
    return super.destroy(sid, callback);
  }
}

/** connect-redis: try { cb(null, value) } catch (err) { cb(err) }. */
class CallbackTwiceOnThrowStore extends ReferenceStore {
  protected override deliver<T>(outcome: Promise<T>, callback: Callback<T> | undefined) {
    if (typeof callback !== 'function') return super.deliver(outcome, callback);
    void outcome.then(
      (value) => {
        try {
          callback(null, value);
        } catch (error) {
          callback(error);
        }
      },
      (error: unknown) => callback(error),
    );
    return undefined;
  }
}

class EnoentOnFailureStore extends ReferenceStore {
  protected override wrapError(operation: string, error: unknown) {
    const wrapped = super.wrapError(operation, error);
    if ((error as { code?: unknown })?.code === 'ECONNREFUSED') return Object.assign(wrapped, { code: 'ENOENT' });
    return wrapped;
  }
}

/** Reports unreadable data with an 'error' event nobody listens to. */
class CrashesOnCorruptStore extends ReferenceStore {
  protected override parse(json: string) {
    try {
      return super.parse(json);
    } catch (error) {
      setImmediate(() => this.emit('error', error));
      return { cookie: {} };
    }
  }
}

/** After an outage it neither works again nor emits connect. */
class NoReconnectStore extends ReferenceStore {
  private dead = false;
  override connectionChanged(up: boolean) {
    if (up || this.dead) return;
    this.dead = true;
    setImmediate(() => this.emit('disconnect'));
  }
  protected override operation<T>(name: string, callback: Callback<T> | undefined, prepare: () => () => T) {
    if (this.dead)
      return this.deliver(
        Promise.reject(new ReferenceStoreError(`ReferenceStore.${name} failed: connection closed`, 'ERR_CLOSED')),
        callback,
      );
    return super.operation(name, callback, prepare);
  }
}

/** A set that fails halfway writes the keys it could serialize, then reports the error. */
class HalfWriteStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    try {
      JSON.stringify(session);
    } catch (error) {
      const partial: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(session)) {
        try {
          partial[key] = JSON.parse(JSON.stringify(value)) as unknown;
        } catch {
          break;
        }
      }
      const expiresAt = this.expiresAtOf(session, Date.now());
      return this.operation('set', callback, () => () => {
        this.writeSession(sid, JSON.stringify(partial), expiresAt);
        throw error;
      });
    }
    return super.set(sid, session, callback);
  }
}

class ThrowsOnCircularStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    JSON.stringify(session);
    return super.set(sid, session, callback);
  }
}

/** A "compact" serializer that drops empty objects and arrays. */
class DropsEmptyContainersStore extends ReferenceStore {
  protected override serialize(value: unknown) {
    return JSON.stringify(value, (key, item: unknown) => (key !== '' && isEmptyContainer(item) ? undefined : item));
  }
}

/** The PostgreSQL jsonb workaround: \u0000 removed from the text. */
class StripsNulStore extends ReferenceStore {
  protected override serialize(value: unknown) {
    return super.serialize(value).replace(/\\u0000/g, '');
  }
}

/** Keeps Dates as Dates (an EJSON-like format) instead of JSON's ISO strings. */
class KeepsDatesStore extends ReferenceStore {
  protected override serialize(value: unknown) {
    return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
      return key !== 'expires' && this[key] instanceof Date ? { $date: item } : item;
    });
  }
  protected override parse(json: string) {
    return JSON.parse(json, (_key, item: unknown) => {
      const date = (item as { $date?: unknown } | null)?.$date;
      return typeof date === 'string' ? new Date(date) : item;
    }) as Record<string, unknown>;
  }
}

/** Numbers kept to 15 significant digits (a float column). */
class LossyNumbersStore extends ReferenceStore {
  protected override serialize(value: unknown) {
    return JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'number' ? Number(item.toPrecision(15)) : item,
    );
  }
}

/** MongoDB-style document keys: "a.b" becomes nested, "$" keys are dropped. */
class DottedKeysStore extends ReferenceStore {
  protected override serialize(value: unknown) {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(item)) {
        if (key.startsWith('$')) continue;
        const parts = key.split('.');
        let target = out;
        for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
        target[parts[parts.length - 1]!] = child;
      }
      return out;
    });
  }
}

/** Silently drops writes over 512 KiB (memcached's item limit, ignored). */
class TruncatingStore extends ReferenceStore {
  protected override writeSession(sid: string, json: string, expiresAt: number) {
    if (json.length > 512 * 1024) return;
    super.writeSession(sid, json, expiresAt);
  }
}

/** Declares a 64 KiB limit but never checks it: the suite expects larger sessions refused. */
class IgnoresDeclaredLimitStore extends ReferenceStore {
  constructor(options: { backend: ReferenceBackend; namespace: string }) {
    super({ ...options, maxSessionBytes: 64 * 1024 });
  }

  protected override serialize(value: unknown): string {
    return JSON.stringify(value);
  }
}

/** Rebuilds objects by assignment, so an own "__proto__" key sets the prototype. */
class ProtoAssigningStore extends ReferenceStore {
  protected override parse(json: string) {
    const rebuild = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rebuild);
      if (typeof value !== 'object' || value === null) return value;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) out[key] = rebuild((value as Record<string, unknown>)[key]);
      return out;
    };
    return rebuild(super.parse(json)) as Record<string, unknown>;
  }
}

/** A pool of 100 connections that fails calls beyond it instead of queueing them. */
class LimitedPoolStore extends ReferenceStore {
  private inFlight = 0;
  protected override operation<T>(name: string, callback: Callback<T> | undefined, prepare: () => () => T) {
    if (this.inFlight >= 100)
      return this.deliver(
        Promise.reject(new ReferenceStoreError(`ReferenceStore.${name} failed: pool exhausted`, 'ERR_POOL')),
        callback,
      );
    this.inFlight += 1;
    const finish = () => {
      this.inFlight -= 1;
    };
    return super.operation(
      name,
      (error: unknown, value?: T) => {
        finish();
        callback?.(error, value);
      },
      prepare,
    );
  }
}

/** Writes a session in two steps, key by key over the previous value: parallel sets merge. */
class TornWriteStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    const entries = Object.entries(JSON.parse(this.serialize(session)) as Record<string, unknown>);
    const expiresAt = this.expiresAtOf(session, Date.now());
    const half = Math.ceil(entries.length / 2);
    const step = (part: [string, unknown][]) =>
      this.backend.execute(() => {
        const record = this.readRecord(sid);
        const current = record ? (JSON.parse(record.json) as Record<string, unknown>) : {};
        for (const [key, value] of part) current[key] = value;
        this.writeSession(sid, JSON.stringify(current), expiresAt);
      });
    const outcome = step(entries.slice(0, half)).then(() => step(entries.slice(half)));
    return this.deliver(
      outcome.catch((error: unknown) => {
        throw this.wrapError('set', error);
      }),
      callback,
    );
  }
}

/** Reads from a replica that copies the primary every 50 ms. */
class StaleReplicaStore extends ReferenceStore {
  private replica = new Map<string, ReferenceRecord>();
  private readonly timer = setInterval(() => {
    this.replica = new Map(this.backend.records);
  }, 50);
  protected override readRecord(sid: string) {
    const record = this.replica.get(this.key(sid));
    return record && record.expiresAt > Date.now() ? record : null;
  }
  override close(callback?: Callback<void>) {
    clearInterval(this.timer);
    return super.close(callback);
  }
}

/** touch reads the record when called and writes it back later with the new cookie. */
class ReadModifyWriteTouchStore extends ReferenceStore {
  override touch(sid: string, session: SessionData, callback?: Callback<void>) {
    return this.operation('touch', callback, () => {
      const snapshot = this.backend.records.get(this.key(sid));
      const cookie = JSON.parse(this.serialize(session.cookie)) as unknown;
      const expiresAt = this.expiresAtOf(session, Date.now());
      return () => {
        if (!snapshot) return;
        const stored = JSON.parse(snapshot.json) as Record<string, unknown>;
        stored.cookie = cookie;
        this.backend.records.set(this.key(sid), { json: JSON.stringify(stored), expiresAt });
      };
    });
  }
}

/**
 * touch as a read, a pause, then a write of what it read with the new cookie: two round trips
 * with nothing to stop a set or destroy landing between them (a GET then SET touch).
 */
class ReadThenWriteTouchStore extends ReferenceStore {
  override touch(sid: string, session: SessionData, callback?: Callback<void>) {
    const work = (async () => {
      const cookie = JSON.parse(this.serialize(session.cookie)) as unknown;
      const expiresAt = this.expiresAtOf(session, Date.now());
      const record = await this.backend.execute(() => this.backend.records.get(this.key(sid)));
      if (!record) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
      const stored = JSON.parse(record.json) as Record<string, unknown>;
      stored.cookie = cookie;
      await this.backend.execute(() => {
        this.backend.records.set(this.key(sid), { ...record, json: JSON.stringify(stored), expiresAt });
      });
    })();
    return this.deliver(work, callback);
  }
}

/**
 * touch with an expiry already past leaves the session as it was (memcached and Redis read a TTL
 * of 0 as "no expiry" or refuse a negative one, and such a store skips the write).
 */
class TouchIgnoresPastExpiryStore extends ReferenceStore {
  protected override touchSession(sid: string, cookieJson: string, expiresAt: number): void {
    if (expiresAt <= Date.now()) return;
    super.touchSession(sid, cookieJson, expiresAt);
  }
}

/** set calls back once it is queued, and the write lands 20 ms later (fire-and-forget writes). */
class AcknowledgedSetStore extends ReferenceStore {
  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    const json = JSON.stringify(session);
    const expiresAt = this.expiresAtOf(session, Date.now());
    setTimeout(() => this.writeSession(sid, json, expiresAt), 20);
    return this.deliver(Promise.resolve(), callback);
  }
}

/** destroy calls back once it is queued, and the delete lands 20 ms later. */
class AcknowledgedDestroyStore extends ReferenceStore {
  override destroy(sid: string, callback?: Callback<void>) {
    setTimeout(() => this.deleteSession(sid), 20);
    return this.deliver(Promise.resolve(), callback);
  }
}

class DoubleCallbackStore extends ReferenceStore {
  override destroy(sid: string, callback?: Callback<void>) {
    if (!callback) return super.destroy(sid);
    return super.destroy(sid, (error, value) => {
      callback(error, value);
      if (!error) callback(null);
    });
  }
}

/** Answers get() synchronously from the in-process map (better-sqlite3-session-store). */
class SyncCallbackStore extends ReferenceStore {
  override get(sid: string, callback?: Callback<SessionData | null>) {
    if (!callback) return super.get(sid);
    let value: Record<string, unknown> | null;
    try {
      if (typeof sid !== 'string') throw new TypeError('sid must be a string');
      value = this.readSession(sid);
    } catch (error) {
      callback(this.wrapError('get', error));
      return undefined;
    }
    callback(null, value as SessionData | null);
    return undefined;
  }
}

class NoPromiseStore extends ReferenceStore {
  protected override deliver<T>(outcome: Promise<T>, callback: Callback<T> | undefined) {
    if (typeof callback === 'function') return super.deliver(outcome, callback);
    outcome.catch(() => {});
    return undefined;
  }
}

/** Passes the raw error along: no store, no operation, no cause. */
class BareErrorStore extends ReferenceStore {
  protected override wrapError(_operation: string, error: unknown) {
    const original = super.wrapError('x', error);
    const bare = new ReferenceStoreError(original.message.replace(/^ReferenceStore\.x failed: /, ''), original.code);
    return bare;
  }
}

/** C57: countUserSessions counts every session of the namespace, as length() does. */
class CountsEveryoneStore extends ReferenceStore {
  override countUserSessions(userId: string, callback?: Callback<number>) {
    return this.length(callback);
  }
}

/** C58: the user's list is read from the records without looking at their expiry. */
class ListsExpiredStore extends ReferenceStore {
  protected override userEntries(userId: string) {
    const prefix = `${this.namespace}:`;
    return [...this.backend.records]
      .filter(([key, record]) => key.startsWith(prefix) && record.user === userId)
      .map(([key, record]) => ({ sid: key.slice(prefix.length), session: this.parse(record.json) }));
  }
}

/**
 * A per-user index kept beside the records on the same backend, the way a store that lists from
 * its own index does. What it forgets to update is each broken store's flaw.
 */
const userIndexes = new WeakMap<ReferenceBackend, Map<string, Set<string>>>();
function userIndexOf(store: ReferenceStore): Map<string, Set<string>> {
  let index = userIndexes.get(store.backend);
  if (!index) userIndexes.set(store.backend, (index = new Map()));
  return index;
}

/** C59: destroy deletes the record but leaves it in its user's index, and listing reads the index. */
class ListsDestroyedStore extends ReferenceStore {
  private copies = new Map<string, Record<string, unknown>>();
  protected override writeSession(sid: string, json: string, expiresAt: number, user: string | null = null): void {
    super.writeSession(sid, json, expiresAt, user);
    const index = userIndexOf(this);
    for (const sids of index.values()) sids.delete(this.key(sid));
    if (user === null) return;
    const key = `${this.namespace}:${user}`;
    index.set(key, (index.get(key) ?? new Set()).add(this.key(sid)));
    this.copies.set(this.key(sid), { json, expiresAt });
  }
  protected override userEntries(userId: string) {
    const sids = userIndexOf(this).get(`${this.namespace}:${userId}`) ?? new Set<string>();
    const prefix = `${this.namespace}:`;
    return [...sids].flatMap((key) => {
      const record = this.backend.records.get(key) ?? (this.copies.get(key) as ReferenceRecord | undefined);
      if (!record || record.expiresAt <= Date.now()) return [];
      return [{ sid: key.slice(prefix.length), session: this.parse(record.json) }];
    });
  }
}

/** C60: a set adds the session to its new user's index but never takes it out of the old one's. */
class ListedUnderOldUserStore extends ReferenceStore {
  protected override writeSession(sid: string, json: string, expiresAt: number, user: string | null = null): void {
    const previous = this.backend.records.get(this.key(sid))?.user ?? null;
    super.writeSession(sid, json, expiresAt, user ?? previous);
  }
}

/** C61: destroyUserSessions deletes every session of the namespace but except, whoever owns it. */
class DestroysEveryoneStore extends ReferenceStore {
  protected override deleteUserSessions(userId: string, except: string | null): number {
    const count = this.userEntries(userId).filter(({ sid }) => sid !== except).length;
    for (const { sid } of this.liveEntries()) if (sid !== except) this.deleteSession(sid);
    return count;
  }
}

/**
 * C22, the masking the suite must not fall for: length() drops expired records as it counts
 * them, while all(), ids() and iterate() list them. A case that calls length() first passes it.
 */
class LazyLengthStore extends ReferenceStore {
  protected override liveEntries() {
    const prefixLength = this.namespace.length + 1;
    return this.namespaceKeys().map((key) => ({
      sid: key.slice(prefixLength),
      session: this.parse(this.backend.records.get(key)!.json),
    }));
  }

  protected override readPage(after: string | null) {
    return this.liveEntries()
      .filter(({ sid }) => after === null || sid > after)
      .slice(0, this.pageSize);
  }

  override length(callback?: Callback<number>) {
    return this.operation('length', callback, () => () => {
      for (const key of this.namespaceKeys())
        if (this.backend.records.get(key)!.expiresAt <= Date.now()) this.backend.records.delete(key);
      return this.namespaceKeys().length;
    });
  }
}

/** C58, the same masking by user: userSessions drops expired records, countUserSessions counts them. */
class LazyUserListStore extends ReferenceStore {
  override countUserSessions(userId: string, callback?: Callback<number>) {
    return this.operation('countUserSessions', callback, () => {
      this.checkUserId(userId);
      return () => this.namespaceKeys().filter((key) => this.backend.records.get(key)!.user === userId).length;
    });
  }
}

/** C63: connect and disconnect emitted from a promise callback, unguarded: a throwing listener is an unhandled rejection. */
class UnguardedEventsStore extends ReferenceStore {
  protected override emitSafely(event: string, ...args: unknown[]): void {
    void Promise.resolve().then(() => this.emit(event, ...args));
  }
}

/** C64: an expiry past what the backend holds wraps to 1970, as MongoDB did: set succeeds and the session is gone. */
class WrapsFarExpiryStore extends ReferenceStore {
  protected override expiresAtOf(session: SessionData, now: number): number {
    const expires = (session.cookie as { expires?: unknown } | undefined)?.expires;
    if (expires instanceof Date && expires.getTime() > Date.UTC(9999, 11, 31, 23, 59, 59, 999)) return 0;
    return super.expiresAtOf(session, now);
  }
}

/** C65: keys sent as UTF-8, where every lone surrogate becomes U+FFFD: distinct sids share a record. */
class Utf8KeysStore extends ReferenceStore {
  protected override key(sid: string): string {
    return super.key(Buffer.from(sid, 'utf8').toString('utf8'));
  }
}

/** C66: errors carry the command's arguments (the key with the sid, the session), as ioredis errors do. */
class CommandArgsInErrorsStore extends ReferenceStore {
  private lastArgs: string[] = [];

  override get(sid: string, callback?: Callback<SessionData | null>) {
    this.lastArgs = [this.key(sid)];
    return super.get(sid, callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback<void>) {
    this.lastArgs = [this.key(sid), inspect(session, { depth: 5 })];
    return super.set(sid, session, callback);
  }

  override touch(sid: string, session: SessionData, callback?: Callback<void>) {
    this.lastArgs = [this.key(sid), inspect(session, { depth: 5 })];
    return super.touch(sid, session, callback);
  }

  override destroy(sid: string, callback?: Callback<void>) {
    this.lastArgs = [this.key(sid)];
    return super.destroy(sid, callback);
  }

  protected override wrapError(operation: string, error: unknown): ReferenceStoreError {
    return Object.assign(super.wrapError(operation, error), { command: { name: operation, args: this.lastArgs } });
  }
}

/** Stores whatever set is given, as JSON.stringify writes it: null, strings, arrays. */
class AcceptsAnyValueStore extends ReferenceStore {
  protected override checkSession(): void {}
}

export const brokenStores: BrokenStore[] = [
  {
    clauses: [1],
    name: 'NotAStore',
    flaw: 'an EventEmitter with the methods, not a session.Store',
    create: (backend, namespace) =>
      new NotAStore(new ReferenceStore({ backend, namespace })) as unknown as StoreUnderTest,
  },
  {
    clauses: [2],
    name: 'MissAsEmptyObjectStore',
    flaw: 'get of an unknown sid returns {}',
    create: make(MissAsEmptyObjectStore),
  },
  {
    clauses: [3],
    name: 'DropsCookieFieldsStore',
    flaw: 'get returns the cookie without originalMaxAge',
    create: make(DropsCookieFieldsStore),
  },
  { clauses: [4], name: 'MergingSetStore', flaw: 'set merges into the previous value', create: make(MergingSetStore) },
  {
    clauses: [5],
    name: 'DestroyUnknownFailsStore',
    flaw: 'destroy of an unknown sid is an error',
    create: make(DestroyUnknownFailsStore),
  },
  {
    clauses: [6],
    name: 'DestroyRejectsUnhandledStore',
    flaw: 'destroy without a callback returns a promise nobody handles',
    create: make(DestroyRejectsUnhandledStore),
  },
  { clauses: [7], name: 'ExtraIdKeyStore', flaw: 'get adds an _id key', create: make(ExtraIdKeyStore) },
  {
    clauses: [8],
    name: 'MutatesInputStore',
    flaw: 'set writes lastModified into the session it is given',
    create: make(MutatesInputStore),
  },
  { clauses: [9], name: 'GlobSidStore', flaw: 'destroy treats the sid as a glob pattern', create: make(GlobSidStore) },
  {
    clauses: [10],
    name: 'ReturnsExpiredStore',
    flaw: 'get returns expired sessions until a cleanup runs',
    create: make(ReturnsExpiredStore),
  },
  {
    clauses: [11],
    name: 'PastExpiryForeverStore',
    flaw: 'a session set with a past expiry is kept with no expiry',
    create: make(PastExpiryForeverStore),
  },
  {
    clauses: [12],
    name: 'IgnoresStringExpiresStore',
    flaw: 'only a Date cookie.expires is honoured; an ISO string gets the default TTL',
    create: make(IgnoresStringExpiresStore),
  },
  {
    clauses: [13],
    name: 'NullExpiresForeverStore',
    flaw: 'a session without cookie expiry never expires',
    create: make(NullExpiresForeverStore),
  },
  {
    clauses: [14],
    name: 'FixedTtlStore',
    flaw: 'a store-wide one-hour TTL overrides cookie.expires',
    create: make(FixedTtlStore),
  },
  {
    clauses: [15],
    name: 'RoundsTtlDownStore',
    flaw: 'the lifetime is floored to seconds and 0 s means no expiry',
    create: make(RoundsTtlDownStore),
  },
  {
    clauses: [16],
    name: 'ThirtyDayLimitStore',
    flaw: 'a lifetime over 30 days is read as an absolute Unix time',
    create: make(ThirtyDayLimitStore),
  },
  {
    clauses: [17],
    name: 'SecondsButDeclaresMsStore',
    flaw: 'declares 1 ms granularity but expires on whole seconds',
    create: make(SecondsButDeclaresMsStore),
  },
  { clauses: [18], name: 'TouchNoopStore', flaw: 'touch does nothing', create: make(TouchNoopStore) },
  {
    clauses: [19, 56],
    name: 'TouchOnlyTtlStore',
    flaw: 'touch moves the TTL only, leaving a stale cookie.expires (silent logout on save)',
    create: make(TouchOnlyTtlStore),
  },
  {
    clauses: [20],
    name: 'TouchOverwritesStore',
    flaw: 'touch rewrites the whole session from its stale argument',
    create: make(TouchOverwritesStore),
  },
  {
    clauses: [21],
    name: 'TouchCreatesStore',
    flaw: 'touch of a missing sid creates it',
    create: make(TouchCreatesStore),
  },
  {
    clauses: [22],
    name: 'LengthCountsExpiredStore',
    flaw: 'length counts expired records',
    create: make(LengthCountsExpiredStore),
  },
  {
    clauses: [23],
    name: 'AllWithoutIdsStore',
    flaw: 'all returns sessions without their ids',
    create: make(AllWithoutIdsStore),
  },
  {
    clauses: [24],
    name: 'LengthCountsWritesStore',
    flaw: 'length counts set() calls, not sessions',
    create: make(LengthCountsWritesStore),
  },
  {
    clauses: [25],
    name: 'ClearCallsBackEarlyStore',
    flaw: 'clear calls back before it deletes',
    create: make(ClearCallsBackEarlyStore),
  },
  {
    clauses: [26],
    name: 'ClearWipesAllStore',
    flaw: 'clear wipes every namespace (flush_all)',
    create: make(ClearWipesAllStore),
  },
  {
    clauses: [27],
    name: 'OverlappingPagesStore',
    flaw: 'iterate pages overlap, yielding sessions twice',
    create: make(OverlappingPagesStore),
  },
  {
    clauses: [28],
    name: 'StubMethodsStore',
    flaw: 'declares clear unsupported but has a clear() that throws',
    create: make(StubMethodsStore),
  },
  {
    clauses: [29],
    name: 'SharedReferencesStore',
    flaw: 'get returns the same cached object every time',
    create: make(SharedReferencesStore),
  },
  {
    clauses: [30],
    name: 'KeepsInputReferenceStore',
    flaw: 'set serializes its input later, after the caller changed it',
    create: make(KeepsInputReferenceStore),
  },
  {
    clauses: [31],
    name: 'PrefixDestroyStore',
    flaw: 'destroy deletes every sid starting with the given one',
    create: make(PrefixDestroyStore),
  },
  {
    clauses: [32],
    name: 'HangsWhenDownStore',
    flaw: 'calls never call back while the backend is down',
    create: make(HangsWhenDownStore),
  },
  {
    clauses: [33],
    name: 'ThrowsOnBadSidStore',
    flaw: 'get and destroy throw synchronously on a non-string sid',
    create: make(ThrowsOnBadSidStore),
  },
  {
    clauses: [34],
    name: 'CallbackTwiceOnThrowStore',
    flaw: 'a callback that throws is called again with its own error',
    create: make(CallbackTwiceOnThrowStore),
  },
  {
    clauses: [35],
    name: 'EnoentOnFailureStore',
    flaw: 'a backend failure carries code ENOENT',
    create: make(EnoentOnFailureStore),
  },
  {
    clauses: [36],
    name: 'CrashesOnCorruptStore',
    flaw: 'corrupt data is reported with an unhandled error event',
    create: make(CrashesOnCorruptStore),
  },
  {
    clauses: [37],
    name: 'NoReconnectStore',
    flaw: 'after an outage it never works again nor emits connect',
    create: make(NoReconnectStore),
  },
  {
    clauses: [38],
    name: 'HalfWriteStore',
    flaw: 'a failing set writes the keys it could serialize',
    create: make(HalfWriteStore),
  },
  {
    clauses: [39],
    name: 'ThrowsOnCircularStore',
    flaw: 'set throws synchronously on a circular session',
    create: make(ThrowsOnCircularStore),
  },
  {
    clauses: [40],
    name: 'DropsEmptyContainersStore',
    flaw: 'empty objects and arrays are dropped',
    create: make(DropsEmptyContainersStore),
  },
  {
    clauses: [41],
    name: 'StripsNulStore',
    flaw: '\\u0000 is stripped from the stored text',
    create: make(StripsNulStore),
  },
  {
    clauses: [42],
    name: 'KeepsDatesStore',
    flaw: 'Dates come back as Dates, not ISO strings',
    create: make(KeepsDatesStore),
  },
  {
    clauses: [43],
    name: 'LossyNumbersStore',
    flaw: 'numbers keep 15 significant digits',
    create: make(LossyNumbersStore),
  },
  {
    clauses: [44],
    name: 'DottedKeysStore',
    flaw: 'dotted keys become nested and $ keys are dropped',
    create: make(DottedKeysStore),
  },
  {
    clauses: [45],
    name: 'TruncatingStore',
    flaw: 'writes over 512 KiB are silently dropped',
    create: make(TruncatingStore),
  },
  {
    clauses: [46],
    name: 'ProtoAssigningStore',
    flaw: 'objects are rebuilt by assignment, so __proto__ sets the prototype',
    create: make(ProtoAssigningStore),
  },
  {
    clauses: [47],
    name: 'LimitedPoolStore',
    flaw: 'calls beyond 100 in flight fail instead of queueing',
    create: make(LimitedPoolStore),
  },
  {
    clauses: [48],
    name: 'TornWriteStore',
    flaw: 'set writes keys in two steps over the previous value',
    create: make(TornWriteStore),
  },
  {
    clauses: [49],
    name: 'StaleReplicaStore',
    flaw: 'get reads a replica that lags 50 ms',
    create: make(StaleReplicaStore),
  },
  {
    clauses: [50],
    name: 'ReadModifyWriteTouchStore',
    flaw: 'touch writes back the record it read when called',
    create: make(ReadModifyWriteTouchStore),
  },
  {
    clauses: [11],
    name: 'TouchIgnoresPastExpiryStore',
    flaw: 'touch with a past expiry leaves the session alive',
    create: make(TouchIgnoresPastExpiryStore),
  },
  {
    clauses: [50],
    name: 'ReadThenWriteTouchStore',
    flaw: 'touch reads the record, waits, then writes it back with the new cookie',
    create: make(ReadThenWriteTouchStore),
  },
  {
    clauses: [49],
    name: 'AcknowledgedSetStore',
    flaw: 'set calls back before its write is applied',
    create: make(AcknowledgedSetStore),
  },
  {
    clauses: [49],
    name: 'AcknowledgedDestroyStore',
    flaw: 'destroy calls back before its delete is applied',
    create: make(AcknowledgedDestroyStore),
  },
  {
    clauses: [51],
    name: 'DoubleCallbackStore',
    flaw: 'destroy calls its callback twice',
    create: make(DoubleCallbackStore),
  },
  { clauses: [52], name: 'SyncCallbackStore', flaw: 'get calls back synchronously', create: make(SyncCallbackStore) },
  {
    clauses: [53],
    name: 'NoPromiseStore',
    flaw: 'methods return nothing when called without a callback',
    create: make(NoPromiseStore),
  },
  {
    clauses: [54],
    name: 'BareErrorStore',
    flaw: 'errors name neither the store nor the operation, and have no cause',
    create: make(BareErrorStore),
  },
  {
    clauses: [55],
    name: 'PrivateMemoryStore',
    flaw: 'every instance keeps its own sessions, ignoring the shared backend',
    create: (_backend, namespace) => new ReferenceStore({ backend: new ReferenceBackend(), namespace }),
  },
  {
    clauses: [57],
    name: 'CountsEveryoneStore',
    flaw: 'countUserSessions counts every session of the namespace',
    create: makeByUser(CountsEveryoneStore),
  },
  {
    clauses: [58],
    name: 'ListsExpiredStore',
    flaw: 'userSessions lists a session past its expiry until the backend removes it',
    create: makeByUser(ListsExpiredStore),
  },
  {
    clauses: [59],
    name: 'ListsDestroyedStore',
    flaw: 'destroy leaves the session in its user’s index, which userSessions reads',
    create: makeByUser(ListsDestroyedStore),
  },
  {
    clauses: [60],
    name: 'ListedUnderOldUserStore',
    flaw: 'a session saved without a user, or with another, stays listed under its old user',
    create: makeByUser(ListedUnderOldUserStore),
  },
  {
    clauses: [61],
    name: 'DestroysEveryoneStore',
    flaw: 'destroyUserSessions destroys the sessions of every user but except',
    create: makeByUser(DestroysEveryoneStore),
  },
  {
    clauses: [22],
    name: 'LazyLengthStore',
    flaw: 'length() drops expired records as it counts; all(), ids() and iterate() list them',
    create: make(LazyLengthStore),
  },
  {
    clauses: [58],
    name: 'LazyUserListStore',
    flaw: 'userSessions drops expired records as it lists; countUserSessions counts them',
    create: makeByUser(LazyUserListStore),
  },
  {
    clauses: [63],
    name: 'UnguardedEventsStore',
    flaw: 'connect and disconnect are emitted from a promise callback: a listener that throws is an unhandled rejection',
    create: make(UnguardedEventsStore),
  },
  {
    clauses: [64],
    name: 'WrapsFarExpiryStore',
    flaw: 'an expiry after year 9999 is stored as 1970: set succeeds and the session is gone',
    create: make(WrapsFarExpiryStore),
  },
  {
    clauses: [65],
    name: 'Utf8KeysStore',
    flaw: 'keys are sent as UTF-8, so sids with different lone surrogates share one record',
    create: make(Utf8KeysStore),
  },
  {
    clauses: [66],
    name: 'CommandArgsInErrorsStore',
    flaw: "errors carry the command's arguments (the key with the sid, the session), as ioredis errors do",
    create: make(CommandArgsInErrorsStore),
  },
  {
    clauses: [67],
    name: 'AcceptsAnyValueStore',
    flaw: 'set stores null, a string or an array as given: acknowledged, then lost or unreadable',
    create: make(AcceptsAnyValueStore),
  },
  {
    clauses: [45],
    name: 'IgnoresDeclaredLimitStore',
    flaw: 'declares maxSessionBytes 64 KiB and stores larger sessions anyway',
    create: make(IgnoresDeclaredLimitStore),
  },
];
