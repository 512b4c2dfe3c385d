import {
  cookieExpiresAt,
  cookieSignature,
  KnownCookies,
  storedCookieSignature,
  touchedCookieSignature,
  namespacedSidProblem,
  type RecordInspection,
  SessionStoreBase,
  sidInNamespace,
  type StoredEntry,
  type StoredRecord,
} from '@session-stores/core';
import type { SessionData } from 'express-session';
import { ConnectionWatch } from './connection-watch';
import type { DriverName, RedisDriver } from './driver';
import { prefixPattern, scanKeyPages } from './key-scan';
import { DEFAULT_TTL_SECONDS, resolveOptions, STORE_NAME, type RedisClient, type RedisStoreOptions } from './options';
import { inspectRedisRecord } from './inspect-record';
import { createOwnClient } from './own-client';
import { ReadyGate } from './ready-gate';
import { RecordReader } from './record-reader';
import { COMPARE_AND_SET, TOUCH_COOKIE } from './touch-scripts';
import { DELETE_IF_UNCHANGED, INDEX_FORGET, INDEX_READ, indexMembers, IndexWriter, userIndexKey } from './user-index';

/** At most this many calls wait for Redis to become ready at once; more fail at once (bounded memory in an outage). */
const MAX_WAITING_CALLS = 10_000;
/** destroyUserSessions re-reads a session saved while it deletes at most this many times, then fails rather than leave it. */
const DELETE_ATTEMPTS = 5;
/** destroyUserSessions deletes this many sessions at once (one script each: Cluster-safe). */
const DELETES_IN_FLIGHT = 64;

/**
 * An express-session store on Redis through node-redis or ioredis: standalone, Sentinel or Cluster.
 *
 * Layout (the same as connect-redis, so apps can switch either way without logging anyone
 * out): one string key `prefix + sid` per session, holding the serialized session, expiring
 * when the session does. The key's own expiry, set to the millisecond with `SET .. PXAT`, is
 * the truth: `get` reads it with the value (`PEXPIRETIME`, in the same round trip) and returns it as
 * `cookie.expires`.
 * `touch` replaces only the stored cookie and the key's expiry in one atomic script, so the
 * stored data is never overwritten by touch's possibly stale copy (see touch-scripts.ts); when
 * the touched cookie differs from the one this process last saw stored only in `expires` (the
 * usual touch), it moves the key's expiry alone with `PEXPIREAT` (see KnownCookies in the core).
 */
export class RedisStore extends SessionStoreBase {
  /** The client the store uses (yours, or the one it made). */
  readonly client: RedisClient;
  /** The library of that client. */
  readonly driverName: DriverName;
  /** The key prefix, as given (without the client's own `keyPrefix`). */
  readonly prefix: string;
  readonly scanCount: number;
  readonly disableTTL: boolean;

  private readonly ownsClient: boolean;
  private readonly driver: RedisDriver;
  private readonly gate: ReadyGate;
  private readonly reader = new RecordReader();
  private readonly knownCookies = new KnownCookies();
  /** Whether the key's expiry is the stored cookie's `expires` (get answers it): the condition of touch's PEXPIREAT. */
  private readonly expiryIsCookie: boolean;
  private readonly watch: ConnectionWatch;
  private readonly stopConnecting: () => void;
  /** The `userId` option (the core validated it), or null: then no index by user is written. */
  private readonly sessionUserOf: ((session: SessionData) => unknown) | null;
  /** Writes the index by user (see user-index.ts). */
  private readonly indexWriter: IndexWriter;
  /** Whether touch may splice the cookie into the stored JSON (plain JSON only: not a custom serializer's format, not encrypted). */
  private readonly splicesCookie: boolean;

  constructor(options: RedisStoreOptions) {
    super(
      {
        storeName: STORE_NAME,
        defaultTtlSeconds: DEFAULT_TTL_SECONDS,
        ttlGranularityMs: 1,
        maxSessionBytes: null,
        persistent: true,
      },
      options,
    );
    const resolved = resolveOptions(options);
    this.prefix = resolved.prefix;
    this.scanCount = resolved.scanCount;
    this.disableTTL = resolved.disableTTL;
    this.sessionUserOf = options.userId ?? null;
    this.expiryIsCookie = !this.disableTTL && typeof this.ttl !== 'function' && !this.encrypts;
    this.ownsClient = resolved.source.kind !== 'client';
    this.splicesCookie =
      (options.serializer === undefined || options.serializer === JSON) && options.encryption === undefined;
    const source = resolved.source;
    const own = source.kind === 'client' ? null : createOwnClient(resolved.driver, source, this.operationTimeoutMs);
    this.driver = own?.driver ?? (source as { driver: RedisDriver }).driver;
    this.stopConnecting = own?.stop ?? (() => {});
    this.client = this.driver.client as RedisClient;
    this.driverName = this.driver.name;
    this.gate = new ReadyGate(this.driver, MAX_WAITING_CALLS);
    this.indexWriter = new IndexWriter(this.driver, !this.disableTTL);
    // Called from inside the client's own events: a listener that threw there would break the
    // client's reconnection, or end the process (the core reports what a listener throws).
    this.watch = new ConnectionWatch(this.driver, {
      up: () => this.reportConnected(),
      down: () => this.reportDisconnected(),
    });
  }

  /** A sid with `:` would be a key of a nested namespace (another store's prefix): never stored. */
  protected override unstorableSid(sid: string): string | null {
    return namespacedSidProblem(sid);
  }

  /** The Redis key of `sid`, as sent through the client (which adds its own `keyPrefix`, if any). */
  key(sid: string): string {
    return this.prefix + sid;
  }

  /** The Redis key of the sorted set of `userId`'s sids, with the `userId` option (see user-index.ts). */
  userKey(userId: string): string {
    return userIndexKey(this.prefix, userId);
  }

  // Backend primitives --------------------------------------------------------------------

  protected readRecord(sid: string): Promise<StoredRecord | null> {
    // Not async: every get runs this, and a ready client needs no frame of its own.
    if (!this.driver.isReady()) return this.untilReady(Date.now()).then(() => this.readReady(sid));
    return this.readReady(sid);
  }

  protected async writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session: SessionData,
    userId: string | null,
  ): Promise<void> {
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    const key = this.key(sid);
    const at = this.disableTTL ? null : Math.ceil(expiresAt);
    if (userId === null) await this.driver.set(key, payload, at);
    else if (this.indexWriter.pipelines)
      // Both in one round trip, the index first on the connection (see IndexWriter).
      await this.indexWriter.addThenSet(this.userKey(userId), sid, Math.ceil(expiresAt), key, payload, at);
    else {
      // The index first: if the session write then fails, the extra member is filtered on read,
      // whereas a session written but missing from the index could not be logged out by user.
      await this.indexWriter.add(this.userKey(userId), sid, Math.ceil(expiresAt));
      await this.driver.set(key, payload, at);
    }
    if (this.splicesCookie) this.knownCookies.remember(sid, storedCookieSignature(payload));
  }

  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    const started = Date.now();
    if (!this.driver.isReady()) await this.untilReady(started);
    const key = this.key(sid);
    const expiry = this.disableTTL ? '' : Math.ceil(expiresAt);
    // The user's member must outlive the key, or the session would drop out of the listing.
    const userId = this.userOf(session);
    if (userId !== null) await this.indexWriter.add(this.userKey(userId), sid, Math.ceil(expiresAt));
    // Only the date moves (express-session's touch on every request): the key's expiry is the
    // stored cookie's expires, which get answers from, so one PEXPIREAT (on a missing key it does
    // nothing, as touch must) keeps the stored cookie true. Not with disableTTL (the value is the
    // only record of the expiry), a ttl function (the key's expiry is not the cookie's, and get
    // answers the stored cookie as it is) nor encryption (the expiry is sealed in the value, and
    // must move with it): there the value is rewritten.
    let signature = this.expiryIsCookie ? touchedCookieSignature(session.cookie) : null;
    if (signature !== null && this.knownCookies.matches(sid, signature)) {
      await this.driver.expireAt(key, expiry as number);
      return;
    }
    const cookieJson = this.touchedCookieJson('touch', session);
    const cookie = this.splicesCookie ? (cookieJson ?? 'null') : '';
    signature ??= cookieJson === null ? null : cookieSignature(cookieJson);
    const outcome = await TOUCH_COOKIE.run(this.driver, [key], [cookie, expiry]);
    if (!Array.isArray(outcome)) {
      if (Number(outcome) === 1) this.knownCookies.remember(sid, signature);
      return;
    }
    // The script could not splice: rewrite the cookie here (core decodes with the store's
    // serializer and cipher), and write it only if nothing changed the session meanwhile.
    const stored = String(outcome[0]);
    const rewritten = await this.rewriteCookieAwaiting('touch', sid, stored, session, expiresAt);
    if (rewritten === null) return;
    if (!this.driver.isReady()) await this.untilReady(started);
    if (Number(await COMPARE_AND_SET.run(this.driver, [key], [stored, rewritten, expiry])) === 1)
      this.knownCookies.remember(sid, signature);
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    return inspectRedisRecord(await this.reader.readOne(this.driver, this.key(sid)));
  }

  protected async deleteRecord(sid: string): Promise<void> {
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    this.knownCookies.forget(sid);
    await this.driver.unlink([this.key(sid)]);
  }

  /**
   * Each page's values are read while the next SCAN is already on its way: one round trip per
   * page instead of two in a row (connect-redis scans everything, then reads it in one MGET).
   */
  protected override async *listRecords(): AsyncGenerator<StoredEntry[]> {
    const pages = this.scanPages();
    let next = pages.next();
    try {
      for (;;) {
        const page = await next;
        if (page.done) return;
        next = pages.next();
        if (!this.driver.isReady()) await this.untilReady(Date.now());
        const records = await this.reader.readPage(this.driver, page.value);
        yield records.map(({ key, value, expiresAt }) => ({
          sid: key.slice(this.prefix.length),
          payload: value,
          expiresAt,
        }));
      }
    } finally {
      // Stopped early (or failed): the SCAN under way is not waited for, nor reported.
      next.catch(() => {});
      pages.return(undefined).catch(() => {});
    }
  }

  protected override async *listIds(): AsyncGenerator<string[]> {
    if (this.disableTTL) {
      // Keys never expire by themselves here: only the stored cookie says which sessions are live.
      for await (const entries of this.listRecords()) {
        const now = Date.now();
        const live: string[] = [];
        for (const entry of entries) if (await this.isLiveByCookie(entry, now)) live.push(entry.sid);
        yield live;
      }
      return;
    }
    // SCAN skips keys whose expiry has passed, so the keys it returns are the live sessions.
    for await (const keys of this.scanPages()) yield keys.map((key) => key.slice(this.prefix.length));
  }

  /** One step per SCAN page, so the core bounds each page rather than the whole clear. */
  protected override async *deleteAllRecords(): AsyncGenerator<number> {
    for await (const keys of this.scanPages()) {
      if (keys.length === 0) continue;
      if (!this.driver.isReady()) await this.untilReady(Date.now());
      if (this.driver.isCluster) await Promise.all(keys.map((key) => this.driver.unlink([key])));
      else await this.driver.unlink(keys);
      yield keys.length;
    }
  }

  protected override async listUserRecords(userId: string): Promise<StoredEntry[]> {
    return (await this.verifiedUserRecords(userId)).map(({ entry }) => entry);
  }

  protected override async deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    const targets = (await this.verifiedUserRecords(userId)).filter(({ entry }) => entry.sid !== exceptSid);
    const deleted: { sid: string; score: string }[] = [];
    for (let start = 0; start < targets.length; start += DELETES_IN_FLIGHT) {
      const batch = targets.slice(start, start + DELETES_IN_FLIGHT);
      const outcomes = await Promise.all(batch.map(({ entry }) => this.deleteIfOwned(userId, entry)));
      batch.forEach((target, index) => {
        if (outcomes[index]) deleted.push({ sid: target.entry.sid, score: target.score });
      });
    }
    if (deleted.length > 0) {
      if (!this.driver.isReady()) await this.untilReady(Date.now());
      await INDEX_FORGET.run(
        this.driver,
        [this.userKey(userId)],
        deleted.flatMap(({ sid, score }) => [sid, score]),
      );
    }
    return deleted.length;
  }

  protected override async closeBackend(): Promise<void> {
    this.knownCookies.clear();
    this.watch.close();
    this.gate.close();
    this.stopConnecting();
    if (this.ownsClient) await this.driver.close(Math.min(this.operationTimeoutMs, 1000));
  }

  // Internals ---------------------------------------------------------------------------------

  /**
   * Waits (within the call's deadline, from `started`) until the client is ready, so that no
   * command is queued in a client to be sent after its caller was told it failed.
   */
  private async untilReady(started: number): Promise<void> {
    const deadline = started + this.operationTimeoutMs;
    await this.gate.wait(deadline);
    if (Date.now() >= deadline) throw new Error('Redis became ready after the deadline');
  }

  private readReady(sid: string): Promise<StoredRecord | null> {
    return this.reader.readOne(this.driver, this.key(sid)).then((record) => {
      if (!record) return null;
      if (this.splicesCookie) this.knownCookies.remember(sid, storedCookieSignature(record.value));
      return { payload: record.value, expiresAt: record.expiresAt };
    });
  }

  /**
   * Pages of this store's keys, as the client addresses them (its own keyPrefix removed): those
   * of its namespace only, not those of a nested one (`sess:admin:x` under `sess:`), whose
   * remainder holds a `:` no sid of this store can hold.
   */
  private async *scanPages(): AsyncGenerator<string[]> {
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    const clientPrefix = this.driver.keyPrefix;
    const own = clientPrefix + this.prefix;
    const strip = clientPrefix.length;
    for await (const keys of scanKeyPages(this.driver, prefixPattern(own), this.scanCount)) {
      const mine = keys.filter((key) => sidInNamespace(own, key) !== null);
      yield strip === 0 ? mine : mine.map((key) => key.slice(strip));
    }
  }

  /** The user `session` belongs to by the `userId` option; null without the option, or when it names none. */
  private userOf(session: SessionData): string | null {
    if (!this.sessionUserOf) return null;
    try {
      const user = this.sessionUserOf(session);
      return typeof user === 'string' && user.length > 0 ? user : null;
    } catch {
      // The core reports a throwing option on set; here it only means the session names no user.
      return null;
    }
  }

  /**
   * The members of `userId`'s set whose session exists, is live and still names that user when
   * read now: the index may hold destroyed sessions, or sessions since saved under another user.
   */
  private async verifiedUserRecords(userId: string): Promise<{ entry: StoredEntry; score: string }[]> {
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    const members = indexMembers(await INDEX_READ.run(this.driver, [this.userKey(userId)], [Date.now()]));
    if (members.length === 0) return [];
    if (!this.driver.isReady()) await this.untilReady(Date.now());
    const records = await this.reader.readPage(
      this.driver,
      members.map(({ sid }) => this.key(sid)),
    );
    const scoreOf = new Map(members.map(({ sid, score }) => [sid, score]));
    const verified: { entry: StoredEntry; score: string }[] = [];
    for (const { key, value, expiresAt } of records) {
      const entry: StoredEntry = { sid: key.slice(this.prefix.length), payload: value, expiresAt };
      if (await this.isLiveSessionOf(userId, entry)) verified.push({ entry, score: scoreOf.get(entry.sid)! });
    }
    return verified;
  }

  private async isLiveSessionOf(userId: string, entry: StoredEntry): Promise<boolean> {
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) return false;
    const session = await this.decodeAwaiting(entry.sid, entry.payload);
    if (!session) return false;
    if (entry.expiresAt === null) {
      const expiresAt = cookieExpiresAt(session);
      if (expiresAt !== null && (Number.isNaN(expiresAt) || expiresAt <= Date.now())) return false;
    }
    return this.userOf(session as unknown as SessionData) === userId;
  }

  /**
   * Deletes `entry` if it is still `userId`'s live session: compare-and-delete on the value read,
   * and on a session saved meanwhile, read and verify again (a session is never left behind
   * because its device saved it while the user logged out everywhere, nor deleted once it is
   * another user's). True when this call deleted it.
   */
  private async deleteIfOwned(userId: string, entry: StoredEntry): Promise<boolean> {
    let current: StoredEntry | null = entry;
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt += 1) {
      if (!current || !(await this.isLiveSessionOf(userId, current))) return false;
      if (!this.driver.isReady()) await this.untilReady(Date.now());
      if (Number(await DELETE_IF_UNCHANGED.run(this.driver, [this.key(entry.sid)], [String(current.payload)])) === 1)
        return true;
      const record = await this.reader.readOne(this.driver, this.key(entry.sid));
      current = record ? { sid: entry.sid, payload: record.value, expiresAt: record.expiresAt } : null;
    }
    // No sid in the message: errors are logged, and a sid is a bearer credential (clause 66).
    throw new Error('a session kept changing while destroyUserSessions deleted it');
  }

  private async isLiveByCookie(entry: StoredEntry, now: number): Promise<boolean> {
    const session = await this.decodeAwaiting(entry.sid, entry.payload);
    if (!session) return false;
    const expiresAt = cookieExpiresAt(session);
    return expiresAt === null || (!Number.isNaN(expiresAt) && expiresAt > now);
  }
}
