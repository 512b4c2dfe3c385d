import expressSession from 'express-session';
import type { SessionData } from 'express-session';
import { isThenable, thenMaybe } from './async-parse';
import { deliver } from './callbacks';
import type { StoreCapabilities } from './capabilities';
import { envelopeToken, SessionCipher } from './encryption';
import { describeCause, storeError, StoreErrorCode, toStoreError } from './errors';
import {
  cookieExpiresAt,
  ExpiryError,
  isExpired,
  isoString,
  MAX_EXPIRES_AT,
  resolveExpiresAt,
  type TtlOption,
} from './expiry';
import { type BaseStoreOptions, DEFAULT_OPERATION_TIMEOUT_MS, ONE_DAY_SECONDS } from './options';
import type { RecordInspection } from './inspection';
import { PruneTimer } from './prune-timer';
import { RecentWrites } from './recent-writes';
import { isSessionObject, jsonSerializer, type Serializer } from './serializer';
import {
  checkUserIdArgument,
  exceptSidOf,
  userIdUnsupported,
  userOfSession,
  type DestroyUserSessionsOptions,
  type UserIdOf,
} from './sessions-by-user';
import { callHookSafely, emitSafely } from './safe-emit';
import { sanitizeCause } from './sanitize';
import { settleWithin, withDeadline } from './timeout';
import { checkOptionsObject, optionalBoolean, optionalFunction, optionalNumber } from './validate';
import { emitInBackground, SessionStoreWarning, SessionStoreWarningCode } from './warning';

/** What a backend holds for one sid. */
export interface StoredRecord {
  /** The serialized session: text, or an object for backends that store documents (MongoDB with `stringify: false`). */
  payload: string | Record<string, unknown>;
  /**
   * When the backend will expire the record, in epoch ms, or null when the backend cannot say
   * (memcached). When known, it is the truth: `get` hands it back as `cookie.expires`.
   */
  expiresAt: number | null;
}

export interface StoredEntry extends StoredRecord {
  sid: string;
}

/** A session as `all()` returns it: the session's own keys plus its sid in `id`. */
export type SessionWithId = SessionData & { id: string };

export interface SessionEntry {
  sid: string;
  session: SessionData;
}

/** Details of a stored session that could not be read (corrupt, tampered, wrong key). */
export interface DecodeErrorEvent {
  sid: string;
  error: unknown;
}

export interface StoreDescription {
  /** The class name used in error messages: `RedisStore`. */
  storeName: string;
  /** The default lifetime of sessions without cookie expiry, in seconds. Default one day. */
  defaultTtlSeconds?: number;
  /** Smallest unit of expiry the backend honours, in ms. Default 1. */
  ttlGranularityMs?: number;
  /** Largest serialized session the backend accepts, in bytes; null when unbounded. */
  maxSessionBytes?: number | null;
  /** Sessions survive a restart of the backend. Default true. */
  persistent?: boolean;
  /** Why the store cannot keep sessions by user, for the error that refuses the `userId` option. */
  sessionsByUserUnsupported?: string;
}

type Cb<T> = (error: unknown, value?: T) => void;

/**
 * How much later than the sealed expiry a stored one may be before it is reported: a backend
 * read back as a remaining lifetime (Redis PTTL) lands a round trip late.
 */
const EXPIRY_SLACK_MS = 2_000;

const { Store } = expressSession;

/**
 * The base of every store. It implements express-session's Store API once (callbacks and
 * promises, validation, expiry, serialization, encryption, errors, deadlines, the capability
 * manifest); a store supplies only its backend primitives, the protected methods below.
 *
 * Expiry design: the backend's own expiry (a key TTL, an `expire` column) is the truth. `set`
 * writes it from `cookie.expires`; `touch` moves only it, never rewriting session data with the
 * possibly stale copy it is given; `get` reads it with the value and returns it as
 * `cookie.expires`, so the cookie the app sees always matches the real expiry. That removes the
 * silent logout that `req.session.save()` causes on stores whose touch leaves a stale
 * `cookie.expires` behind (CONTRACT.md clauses 19-20, 56).
 */
export abstract class SessionStoreBase extends Store {
  /** What this store supports; see CONTRACT.md "Capability manifest". */
  readonly capabilities: StoreCapabilities;

  protected readonly storeName: string;
  protected readonly ttl: TtlOption;
  protected readonly serializer: Serializer;
  protected readonly operationTimeoutMs: number;
  private readonly cipher: SessionCipher | null;
  private readonly touchAfterMs: number;
  private readonly maxSessionBytes: number | null;
  /** The `userId` option, or null when the store keeps no index by user (the methods are then absent). */
  private readonly userIdOf: UserIdOf | null;
  /** Only kept when touchAfter is on: otherwise nothing reads it, and hot paths skip it. */
  private readonly recentWrites: RecentWrites | null;
  private connection: 'unknown' | 'up' | 'down' = 'unknown';
  private closed = false;
  private backgroundPrune: PruneTimer | null = null;
  /** The prune running now, which a second prune() joins instead of starting another. */
  private runningPrune: Promise<number> | null = null;

  // Backend primitives -------------------------------------------------------------------

  /** The record of `sid`, or null when there is none. Expired records may be returned; the base filters them. */
  protected abstract readRecord(sid: string): Promise<StoredRecord | null>;
  /**
   * Writes the whole record, replacing any previous one atomically, to expire at `expiresAt`
   * (epoch ms, in the future). With the `userId` option on ({@link indexesUsers}), `userId` is the
   * session's user (null for none) and the record moves to that user's index in the same
   * atomic write; with it off, it is always null and the store writes no index.
   */
  protected abstract writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    session: SessionData,
    userId: string | null,
  ): Promise<void>;
  /**
   * Moves the expiry of an existing, unexpired record to `expiresAt`. Must not create a record,
   * and must not overwrite its data with `session` (it may be stale); a backend that keeps the
   * cookie only inside the payload may rewrite the cookie with {@link rewriteCookie}.
   */
  protected abstract refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void>;
  /** Deletes the record of `sid`; succeeds when there is none. */
  protected abstract deleteRecord(sid: string): Promise<void>;
  /** Pages of this store's records (expired ones may appear; the base filters them). Enables all(), ids(), length(), iterate(). */
  protected listRecords?(): AsyncIterable<StoredEntry[]>;
  /** Pages of the sids of this store's live records, cheaper than listRecords where the backend allows it. */
  protected listIds?(): AsyncIterable<string[]>;
  /** The number of this store's live records. */
  protected countRecords?(): Promise<number>;
  /**
   * Deletes every record of this store's namespace, and nothing else. Enables clear(). A backend
   * that deletes page by page returns an async iterable with one step per page, so that each
   * step, not the whole, is bounded by the operation timeout (a big namespace never times out
   * half-cleared while the backend is healthy).
   */
  protected deleteAllRecords?(): Promise<void> | AsyncIterable<unknown>;
  /** The record of `sid` as the backend holds it, or null when there is none. Enables inspect(). */
  protected inspectRecord?(sid: string): Promise<RecordInspection | null>;
  /** Releases what the store made: timers, and clients it created (never a client it was given). */
  protected closeBackend?(): Promise<void>;
  /**
   * The records indexed under `userId` (expired ones may appear; the base filters them). With
   * {@link deleteUserRecords}, enables the `userId` option and userSessions(), countUserSessions(),
   * destroyUserSessions(); only called when the option is on.
   */
  protected listUserRecords?(userId: string): Promise<StoredEntry[]>;
  /** The number of live records indexed under `userId`. Default: listUserRecords, counted. */
  protected countUserRecords?(userId: string): Promise<number>;
  /**
   * Deletes the records indexed under `userId` but `exceptSid` (null: all of them) and gives how
   * many live ones it deleted. Records of other users are never touched.
   */
  protected deleteUserRecords?(userId: string, exceptSid: string | null): Promise<number>;
  /**
   * Why the backend cannot hold `sid` as it is (it would be changed on the way, or refused), or
   * null when it can. One policy for every store that has such sids: such a sid was never
   * stored, so get and inspect miss, touch and destroy have nothing to do, and set fails with
   * ERR_SESSION_STORE_INVALID_ARGUMENT and this reason. No hook is called with such a sid.
   */
  protected unstorableSid?(sid: string): string | null;
  /**
   * Deletes expired records now and gives how many it deleted. Enables prune() and
   * {@link startPruneTimer}. For backends that keep expired records until someone deletes them.
   */
  protected pruneExpired?(): Promise<number>;

  protected constructor(description: StoreDescription, rawOptions: BaseStoreOptions | undefined) {
    super();
    const name = description.storeName;
    const defaultTtlSeconds = description.defaultTtlSeconds ?? ONE_DAY_SECONDS;
    const options = checkOptionsObject(name, rawOptions) as BaseStoreOptions;
    this.storeName = name;

    const ttl = options.ttl;
    if (typeof ttl === 'function') this.ttl = ttl;
    else
      this.ttl =
        optionalNumber(name, 'ttl', ttl, { min: 0, max: Math.floor((MAX_EXPIRES_AT - Date.now()) / 1000) }) ??
        defaultTtlSeconds;

    const serializer = options.serializer;
    if (
      serializer !== undefined &&
      // parse is only looked at once stringify was found, so serializer is an object by then.
      (typeof serializer?.stringify !== 'function' || typeof serializer.parse !== 'function')
    ) {
      throw new TypeError(`${name}: option "serializer" must be an object with stringify and parse functions`);
    }
    this.serializer = serializer ?? jsonSerializer;
    this.cipher =
      options.encryption === undefined
        ? null
        : new SessionCipher(checkOptionsObject(`${name}: option "encryption"`, options.encryption) as never);
    for (const notice of this.cipher?.notices ?? []) this.warnAtStart(SessionStoreWarningCode.weakEncryption, notice);
    const disableTouch = optionalBoolean(name, 'disableTouch', options.disableTouch) ?? false;
    this.touchAfterMs = (optionalNumber(name, 'touchAfter', options.touchAfter, { min: 0 }) ?? 0) * 1000;
    this.recentWrites = this.touchAfterMs > 0 ? new RecentWrites() : null;
    this.operationTimeoutMs =
      optionalNumber(name, 'operationTimeoutMs', options.operationTimeoutMs, { min: 1, max: 2_147_483_647 }) ??
      DEFAULT_OPERATION_TIMEOUT_MS;
    this.maxSessionBytes = description.maxSessionBytes ?? null;
    this.userIdOf = optionalFunction<UserIdOf>(name, 'userId', options.userId) ?? null;
    const canIndexUsers = typeof this.listUserRecords === 'function' && typeof this.deleteUserRecords === 'function';
    if (this.userIdOf && !canIndexUsers) throw userIdUnsupported(name, description.sessionsByUserUnsupported);

    // Unsupported methods are absent, not stubs (clause 28): express-session checks
    // `typeof store.touch === 'function'`, and admin tools check the others the same way.
    const canList = typeof this.listRecords === 'function';
    const canListIds = canList || typeof this.listIds === 'function';
    const canClear = typeof this.deleteAllRecords === 'function';
    if (disableTouch) hide(this, 'touch');
    if (!canList) hide(this, 'all', 'iterate');
    if (!canListIds) hide(this, 'ids', 'length');
    if (!canClear) hide(this, 'clear');
    if (typeof this.inspectRecord !== 'function') hide(this, 'inspect');
    if (typeof this.pruneExpired !== 'function') hide(this, 'prune');
    if (!this.userIdOf) hide(this, 'userSessions', 'countUserSessions', 'destroyUserSessions');

    this.capabilities = Object.freeze({
      touch: !disableTouch,
      all: canList,
      ids: canListIds,
      length: canListIds,
      clear: canClear,
      iterate: canList,
      ttlGranularityMs: description.ttlGranularityMs ?? 1,
      maxSessionBytes: this.maxSessionBytes,
      persistent: description.persistent ?? true,
      sessionsByUser: this.userIdOf !== null,
      defaultTtlMs: typeof this.ttl === 'number' ? this.ttl * 1000 : defaultTtlSeconds * 1000,
    });
  }

  // express-session's Store API --------------------------------------------------------------

  get(sid: string): Promise<SessionData | null>;
  get(sid: string, callback: Cb<SessionData | null>): void;
  get(sid: string, callback?: Cb<SessionData | null>): Promise<SessionData | null> | undefined {
    return this.run(
      'get',
      callback,
      async () => {
        this.checkSid('get', sid);
        if (this.unstorable(sid)) return null;
        const record = await this.readRecord(sid);
        return record ? this.materialize(sid, record, Date.now()) : null;
      },
      sid,
    );
  }

  set(sid: string, session: SessionData): Promise<void>;
  set(sid: string, session: SessionData, callback?: Cb<void>): void;
  set(sid: string, session: SessionData, callback?: Cb<void>): Promise<void> | undefined {
    return this.run(
      'set',
      callback,
      async () => {
        // Everything up to the first await runs before set() returns, so the session is
        // serialized as it was at the call: later mutations by the caller cannot leak in (clause 30).
        this.checkSid('set', sid);
        this.checkSession('set', session);
        const now = Date.now();
        const expiresAt = this.expiresAt('set', session, sid, now);
        const unstorable = this.unstorable(sid);
        if (isExpired(expiresAt, now)) {
          // Already expired: make sure it is gone rather than writing it (clause 11).
          if (unstorable === null) await this.deleteRecord(sid);
          this.recentWrites?.forget(sid);
          return;
        }
        if (unstorable !== null) throw storeError(this.storeName, 'set', StoreErrorCode.invalidArgument, unstorable);
        const payload = this.encode('set', sid, session, expiresAt);
        const userId = this.userIdOf ? userOfSession(this.storeName, this.userIdOf, session) : null;
        await this.writeRecord(sid, payload, expiresAt, session, userId);
        this.recentWrites?.record(sid, now);
      },
      sid,
    );
  }

  override touch(sid: string, session: SessionData): Promise<void>;
  override touch(sid: string, session: SessionData, callback?: Cb<void>): void;
  override touch(sid: string, session: SessionData, callback?: Cb<void>): Promise<void> | undefined {
    return this.run(
      'touch',
      callback,
      async () => {
        this.checkSid('touch', sid);
        this.checkSession('touch', session);
        const now = Date.now();
        const expiresAt = this.expiresAt('touch', session, sid, now);
        if (this.recentWrites?.isRecent(sid, now, this.touchAfterMs)) return;
        if (this.unstorable(sid)) return;
        if (isExpired(expiresAt, now)) {
          await this.deleteRecord(sid);
          this.recentWrites?.forget(sid);
          return;
        }
        await this.refreshExpiry(sid, expiresAt, session);
        this.recentWrites?.record(sid, now);
      },
      sid,
    );
  }

  destroy(sid: string): Promise<void>;
  destroy(sid: string, callback?: Cb<void>): void;
  destroy(sid: string, callback?: Cb<void>): Promise<void> | undefined {
    return this.run(
      'destroy',
      callback,
      async () => {
        this.checkSid('destroy', sid);
        if (!this.unstorable(sid)) await this.deleteRecord(sid);
        this.recentWrites?.forget(sid);
      },
      sid,
    );
  }

  /** Every live session, each with its sid in `id`. Loads them all: prefer {@link iterate} for many. */
  override all(): Promise<SessionWithId[]>;
  override all(callback: Cb<SessionWithId[]>): void;
  override all(callback?: Cb<SessionWithId[]>): Promise<SessionWithId[]> | undefined {
    return this.runUnbounded('all', callback, async () => {
      const sessions: SessionWithId[] = [];
      for await (const { sid, session } of this.liveSessions('all')) sessions.push({ ...session, id: sid });
      return sessions;
    });
  }

  /** The sids of every live session. */
  ids(): Promise<string[]>;
  ids(callback: Cb<string[]>): void;
  ids(callback?: Cb<string[]>): Promise<string[]> | undefined {
    return this.runUnbounded('ids', callback, async () => {
      const ids: string[] = [];
      for await (const page of this.liveIdPages('ids')) ids.push(...page);
      return ids;
    });
  }

  /** The number of live sessions. */
  override length(): Promise<number>;
  override length(callback: Cb<number>): void;
  override length(callback?: Cb<number>): Promise<number> | undefined {
    if (this.countRecords) return this.run('length', callback, () => this.countRecords!());
    return this.runUnbounded('length', callback, async () => {
      let count = 0;
      for await (const page of this.liveIdPages('length')) count += page.length;
      return count;
    });
  }

  /** Deletes every session of this store's namespace (prefix, table, collection), and nothing else. */
  override clear(): Promise<void>;
  override clear(callback?: Cb<void>): void;
  override clear(callback?: Cb<void>): Promise<void> | undefined {
    return this.runUnbounded('clear', callback, async () => {
      const deletion = this.deleteAllRecords!();
      if (!isAsyncIterable(deletion)) return this.bounded(deletion, 'clear');
      const steps = deletion[Symbol.asyncIterator]();
      try {
        while (!(await this.nextPage(steps, 'clear')).done);
      } finally {
        releasePages(steps);
      }
    });
  }

  /**
   * Live sessions one at a time, fetched from the backend page by page, so any number of them
   * can be walked in constant memory (clause 27). Each page fetch is bounded by the timeout.
   */
  iterate(): AsyncIterable<SessionEntry> {
    return this.liveSessions('iterate');
  }

  /**
   * The record of `sid` exactly as the backend holds it (see {@link RecordInspection}), expired
   * or not, or null when there is none. Absent on a store whose backend cannot show it.
   */
  inspect(sid: string): Promise<RecordInspection | null>;
  inspect(sid: string, callback: Cb<RecordInspection | null>): void;
  inspect(sid: string, callback?: Cb<RecordInspection | null>): Promise<RecordInspection | null> | undefined {
    return this.run(
      'inspect',
      callback,
      async () => {
        this.checkSid('inspect', sid);
        if (this.unstorable(sid)) return null;
        return this.inspectRecord!(sid);
      },
      sid,
    );
  }

  /**
   * Deletes expired records now and gives how many it deleted. A prune already running (the
   * store's timer, or another call) is joined, not doubled. Expired sessions are never returned
   * either way: pruning only reclaims space. Absent on a store whose backend expires records itself.
   */
  prune(): Promise<number>;
  prune(callback: Cb<number>): void;
  prune(callback?: Cb<number>): Promise<number> | undefined {
    return this.runUnbounded('prune', callback, () => {
      this.runningPrune ??= this.pruneExpired!().finally(() => {
        this.runningPrune = null;
      });
      return this.runningPrune;
    });
  }

  /**
   * The live sessions of `userId` (see the `userId` option), each with its sid. Absent on a
   * store made without the option.
   */
  userSessions(userId: string): Promise<SessionEntry[]>;
  userSessions(userId: string, callback: Cb<SessionEntry[]>): void;
  userSessions(userId: string, callback?: Cb<SessionEntry[]>): Promise<SessionEntry[]> | undefined {
    return this.run('userSessions', callback, async () => {
      checkUserIdArgument(this.storeName, 'userSessions', userId);
      const records = await this.listUserRecords!(userId);
      const now = Date.now();
      const entries: SessionEntry[] = [];
      for (const record of records) {
        // A custom serializer may parse asynchronously: materialize may give a promise.
        const session = await this.materialize(record.sid, record, now);
        if (session) entries.push({ sid: record.sid, session });
      }
      return entries;
    });
  }

  /** The number of live sessions of `userId`. Absent on a store made without the `userId` option. */
  countUserSessions(userId: string): Promise<number>;
  countUserSessions(userId: string, callback: Cb<number>): void;
  countUserSessions(userId: string, callback?: Cb<number>): Promise<number> | undefined {
    return this.run('countUserSessions', callback, async () => {
      checkUserIdArgument(this.storeName, 'countUserSessions', userId);
      if (this.countUserRecords) return this.countUserRecords(userId);
      const now = Date.now();
      let count = 0;
      for (const record of await this.listUserRecords!(userId))
        if ((await this.materialize(record.sid, record, now)) !== null) count += 1;
      return count;
    });
  }

  /**
   * Destroys every session of `userId` but `options.except` (the current device, for "log out
   * everywhere else") and gives how many live sessions it destroyed. Sessions of other users are
   * never touched. Absent on a store made without the `userId` option.
   */
  destroyUserSessions(userId: string, options?: DestroyUserSessionsOptions): Promise<number>;
  destroyUserSessions(userId: string, callback: Cb<number>): void;
  destroyUserSessions(userId: string, options: DestroyUserSessionsOptions | undefined, callback: Cb<number>): void;
  destroyUserSessions(
    userId: string,
    optionsOrCallback?: DestroyUserSessionsOptions | Cb<number>,
    callback?: Cb<number>,
  ): Promise<number> | undefined {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    return this.run('destroyUserSessions', done, async () => {
      checkUserIdArgument(this.storeName, 'destroyUserSessions', userId);
      const except = exceptSidOf(this.storeName, options);
      return this.deleteUserRecords!(userId, except);
    });
  }

  /** Stops the store's timers and closes clients it made itself. Later calls fail with ERR_SESSION_STORE_CLOSED. */
  close(callback?: Cb<void>): Promise<void> | undefined {
    const wasClosed = this.closed;
    this.closed = true;
    this.backgroundPrune?.stop();
    const outcome =
      wasClosed || !this.closeBackend
        ? Promise.resolve()
        : this.closeBackend().catch((error: unknown) => {
            throw toStoreError(this.storeName, 'close', error);
          });
    return deliver(outcome, callback);
  }

  // For stores ----------------------------------------------------------------------------------

  /** True when the store was made with the `userId` option: writeRecord then gets the user to index. */
  protected get indexesUsers(): boolean {
    return this.userIdOf !== null;
  }

  /** Call when the backend is reachable: emits `connect` once per recovery (clause 37). */
  protected reportConnected(): void {
    if (this.connection === 'up') return;
    this.connection = 'up';
    this.emitSafely('connect');
  }

  /** Call when the backend connection is lost (not for one failed command): emits `disconnect` once. */
  protected reportDisconnected(): void {
    if (this.connection === 'down') return;
    this.connection = 'down';
    this.emitSafely('disconnect');
  }

  /**
   * Emits `event` now; a listener that throws is reported with `process.emitWarning` (code
   * ERR_SESSION_STORE_LISTENER_THREW) instead of throwing into the caller. Stores emit through
   * this from every background path (monitors, timers, promise callbacks), where a throw would
   * end the process.
   */
  protected emitSafely(event: string, ...args: unknown[]): boolean {
    return emitSafely(this, this.storeName, event, ...args);
  }

  /**
   * Calls a user hook (an `errorLog` option, a logger) from a background path: what it throws,
   * or a promise it returns rejecting, is reported with `process.emitWarning` instead.
   */
  protected callHookSafely<A extends unknown[]>(
    hookName: string,
    hook: ((...args: A) => unknown) | null | undefined,
    ...args: A
  ): void {
    callHookSafely(this.storeName, hookName, hook, ...args);
  }

  /**
   * Runs prune() every `intervalMs` (±`jitter` of it, so instances sharing a database drift
   * apart) until the store closes. A failed run is reported as a `warning` with the code
   * ERR_SESSION_STORE_PRUNE_FAILED, and as the older `pruneError` event; the next run tries again.
   * Calling it again while the timer runs does nothing.
   */
  protected startPruneTimer(intervalMs: number, jitter = 0.25): void {
    if (this.backgroundPrune || this.closed) return;
    this.backgroundPrune = new PruneTimer(
      intervalMs,
      jitter,
      () => this.prune()!,
      (error) => {
        this.warn(
          SessionStoreWarningCode.pruneFailed,
          `deleting expired sessions failed; the next run tries again: ${describeCause(error)}`,
          error,
        );
        emitInBackground(this, this.storeName, 'pruneError', error);
      },
    );
    this.backgroundPrune.start();
  }

  /**
   * Reports a failure of something the store does on its own (a timer, a monitor) as a
   * `warning` event carrying a {@link SessionStoreWarning}. Never `error` (express-session does
   * not listen for it: it would end the process), never synchronously, and never throws, even
   * when a listener does (see emitInBackground).
   */
  protected warn(warning: SessionStoreWarning): void;
  protected warn(code: string, message: string, cause?: unknown): void;
  protected warn(codeOrWarning: string | SessionStoreWarning, message = '', cause?: unknown): void {
    const warning =
      typeof codeOrWarning === 'string'
        ? new SessionStoreWarning(this.storeName, codeOrWarning, message, cause)
        : codeOrWarning;
    emitInBackground(this, this.storeName, 'warning', warning);
  }

  /**
   * The cookie `touch` was given, as JSON, for backends that write it next to the data; null
   * when the session has no cookie object. A cookie JSON cannot hold (a BigInt, a throwing
   * toJSON) fails with ERR_SESSION_STORE_SERIALIZE, as a session would in set.
   */
  protected touchedCookieJson(operation: string, session: SessionData): string | null {
    const cookie = (session as { cookie?: unknown }).cookie;
    if (typeof cookie !== 'object' || cookie === null) return null;
    const text = this.stringify(operation, 'the cookie', () => JSON.stringify(cookie));
    return typeof text === 'string' ? text : null;
  }

  /** Bounds a backend step of a multi-step operation by the operation timeout. */
  protected bounded<T>(step: Promise<T>, operation: string): Promise<T> {
    return withDeadline(step, this.operationTimeoutMs, () => this.timeoutError(operation));
  }

  /** True when sessions are encrypted: a store then rewrites the record on touch, so that the sealed expiry moves too. */
  protected get encrypts(): boolean {
    return this.cipher !== null;
  }

  /**
   * Serializes (and encrypts) a session for `sid`, enforcing the size limit. With encryption,
   * `expiresAt` (the expiry the store writes beside it) is sealed with the data: a record whose
   * stored expiry was moved later than that is read with the sealed one (see {@link live}).
   */
  protected encode(operation: string, sid: string, session: unknown, expiresAt: number): string {
    const text = this.stringify(operation, 'the session', () => this.serializer.stringify(session));
    if (typeof text !== 'string') {
      throw storeError(
        this.storeName,
        operation,
        StoreErrorCode.serialize,
        `the serializer returned ${typeof text}, expected a string`,
      );
    }
    const payload = this.cipher ? this.cipher.encrypt(sid, text, expiresAt) : text;
    if (this.maxSessionBytes !== null) {
      const bytes = Buffer.byteLength(payload, 'utf8');
      if (bytes > this.maxSessionBytes) {
        throw storeError(
          this.storeName,
          operation,
          StoreErrorCode.tooLarge,
          `the serialized session is ${bytes} bytes, more than the ${this.maxSessionBytes} the backend accepts`,
        );
      }
    }
    return payload;
  }

  /**
   * Parses (and decrypts) a stored payload. Unreadable data (corrupt, tampered, encrypted with
   * an unknown secret) is a miss, reported through the `decodeError` event, never a crash (clause 36).
   * For callers that need the session now: a serializer whose parse returns a Promise is a
   * decode error here (see {@link decodeAwaiting}).
   */
  protected decode(sid: string, payload: string | Record<string, unknown>): Record<string, unknown> | null {
    const decoded = this.decodeAwaiting(sid, payload);
    if (!isThenable(decoded)) return decoded;
    decoded.then(undefined, () => {});
    return this.decodeFailed(sid, new Error("the serializer's parse returned a Promise where a value is needed"));
  }

  /** Like {@link decode}, awaiting a serializer whose parse returns a Promise (synchronous otherwise). */
  protected decodeAwaiting(
    sid: string,
    payload: string | Record<string, unknown>,
    sealed?: { expiresAt: number | null },
  ): Record<string, unknown> | null | Promise<Record<string, unknown> | null> {
    let parsed: unknown;
    try {
      const token = envelopeToken(payload);
      if (token !== null) {
        if (!this.cipher) throw new Error('the session is encrypted and no encryption secret is configured');
        const opened = this.cipher.decrypt(sid, token);
        if (sealed) sealed.expiresAt = opened.expiresAt;
        parsed = this.serializer.parse(opened.plaintext);
      } else {
        if (this.cipher && !this.cipher.acceptPlaintext)
          throw new Error('the session is not encrypted and encryption.acceptPlaintext is off');
        parsed = typeof payload === 'string' ? this.serializer.parse(payload) : payload;
      }
    } catch (error) {
      return this.decodeFailed(sid, error);
    }
    if (isThenable(parsed))
      return Promise.resolve(parsed).then(
        (value) => this.acceptParsed(sid, value),
        (error: unknown) => this.decodeFailed(sid, error),
      );
    return this.acceptParsed(sid, parsed);
  }

  /**
   * For backends that keep the cookie only inside the payload (memcached, MongoDB): the stored payload
   * with its cookie replaced by the touched one, everything else as stored. Null when the
   * stored payload is unreadable.
   */
  protected rewriteCookie(
    operation: string,
    sid: string,
    storedPayload: string | Record<string, unknown>,
    touched: SessionData,
    expiresAt: number,
  ): string | null {
    const stored = this.decode(sid, storedPayload);
    return stored ? this.withCookie(operation, sid, stored, touched, expiresAt) : null;
  }

  /** Like {@link rewriteCookie}, awaiting a serializer whose parse returns a Promise. */
  protected async rewriteCookieAwaiting(
    operation: string,
    sid: string,
    storedPayload: string | Record<string, unknown>,
    touched: SessionData,
    expiresAt: number,
  ): Promise<string | null> {
    const stored = await this.decodeAwaiting(sid, storedPayload);
    return stored ? this.withCookie(operation, sid, stored, touched, expiresAt) : null;
  }

  /**
   * Like {@link rewriteCookie}, for a session the store has already decoded (its `cookie` is
   * replaced in place): a store that had to decode it anyway saves a second parse.
   */
  protected withCookie(
    operation: string,
    sid: string,
    stored: Record<string, unknown>,
    touched: SessionData,
    expiresAt: number,
  ): string {
    const cookie = this.touchedCookieJson(operation, touched);
    stored.cookie = cookie === null ? null : (JSON.parse(cookie) as unknown);
    return this.encode(operation, sid, stored, expiresAt);
  }

  // Internals -------------------------------------------------------------------------------

  /**
   * A warning about the configuration, once the constructor has returned: to the store's
   * `warning` listeners when it has some by then, else through process.emitWarning, so that it
   * is seen (printed to stderr) even by an app that listens to nothing.
   */
  private warnAtStart(code: string, message: string): void {
    const warning = new SessionStoreWarning(this.storeName, code, message);
    process.nextTick(() => {
      if (this.listenerCount('warning') > 0) this.warn(warning);
      else process.emitWarning(warning);
    });
  }

  private acceptParsed(sid: string, parsed: unknown): Record<string, unknown> | null {
    if (!isSessionObject(parsed)) return this.decodeFailed(sid, new Error('the stored session is not an object'));
    return parsed;
  }

  /** Runs a serializer; what it throws becomes ERR_SESSION_STORE_SERIALIZE, the same for a session and a cookie. */
  private stringify(operation: string, what: string, serialize: () => unknown): unknown {
    try {
      return serialize();
    } catch (error) {
      throw storeError(
        this.storeName,
        operation,
        StoreErrorCode.serialize,
        `${what} cannot be serialized: ${(error as Error)?.message ?? String(error)}`,
        error,
      );
    }
  }

  private decodeFailed(sid: string, error: unknown): null {
    // The app gets the sid to act on, but not enumerable, so that a logger writing the event
    // does not write the sid (a bearer credential); the error is a copy without the payload a
    // parser or driver may have attached, and with the sid scrubbed (clause 66).
    const event = { error: sanitizeCause(error, [sid]) } as DecodeErrorEvent;
    Object.defineProperty(event, 'sid', { value: sid, enumerable: false, writable: true, configurable: true });
    this.emitSafely('decodeError', event);
    return null;
  }

  /** The session `get` returns for a record; a Promise only when the serializer's parse returned one. */
  private materialize(
    sid: string,
    record: StoredRecord,
    now: number,
  ): SessionData | null | Promise<SessionData | null> {
    const sealed = { expiresAt: null as number | null };
    return thenMaybe(this.decodeAwaiting(sid, record.payload, sealed), (session) =>
      this.live(sid, record, now, session, sealed.expiresAt),
    );
  }

  /**
   * The session if it is live. An encrypted record carries its expiry sealed with the data: the
   * stored expiry may be earlier (a store may round, a backend may end it sooner), never later,
   * so someone who can write the backend but lacks the key cannot extend a session's life. A
   * later one is read as the sealed expiry (the session ends when it was meant to) and reported
   * as a warning, without the sid.
   */
  private live(
    sid: string,
    record: StoredRecord,
    now: number,
    session: Record<string, unknown> | null,
    sealedExpiresAt: number | null,
  ): SessionData | null {
    if (!session) return null;
    let stored = record.expiresAt;
    if (sealedExpiresAt !== null) {
      if (stored !== null && stored > sealedExpiresAt + this.capabilities.ttlGranularityMs + EXPIRY_SLACK_MS) {
        this.warn(
          SessionStoreWarningCode.expiryMismatch,
          `a session's stored expiry is later than the one sealed in its ciphertext (the backend was edited, or a migration moved it): the sealed one, ${new Date(sealedExpiresAt).toISOString()}, is used`,
        );
      }
      stored = stored === null ? sealedExpiresAt : Math.min(stored, sealedExpiresAt);
    }
    const expiresAt = stored ?? cookieExpiresAt(session);
    if (expiresAt !== null && !Number.isNaN(expiresAt) && expiresAt <= now) return null;
    if (stored !== null) {
      if (typeof this.ttl !== 'function') alignCookieExpiry(session, stored);
      const originalMaxAge = (session.cookie as { originalMaxAge?: unknown } | undefined)?.originalMaxAge;
      if (this.recentWrites && typeof originalMaxAge === 'number')
        this.recentWrites.record(sid, stored - originalMaxAge);
    }
    return session as unknown as SessionData;
  }

  private async *liveSessions(operation: string): AsyncGenerator<SessionEntry> {
    this.checkOpen(operation);
    const pages = this.listRecords!()[Symbol.asyncIterator]();
    try {
      for (;;) {
        const step = await this.nextPage(pages, operation);
        if (step.done) return;
        const now = Date.now();
        for (const entry of step.value) {
          // A custom serializer may parse asynchronously: materialize may give a promise.
          const session = await this.materialize(entry.sid, entry, now);
          if (session) yield { sid: entry.sid, session };
        }
      }
    } finally {
      releasePages(pages);
    }
  }

  private async *liveIdPages(operation: string): AsyncGenerator<string[]> {
    if (!this.listIds) {
      for await (const { sid } of this.liveSessions(operation)) yield [sid];
      return;
    }
    const pages = this.listIds()[Symbol.asyncIterator]();
    try {
      for (;;) {
        const step = await this.nextPage(pages, operation);
        if (step.done) return;
        yield step.value;
      }
    } finally {
      releasePages(pages);
    }
  }

  private async nextPage<T>(pages: AsyncIterator<T>, operation: string): Promise<IteratorResult<T>> {
    try {
      return await this.bounded(pages.next(), operation);
    } catch (error) {
      throw toStoreError(this.storeName, operation, error);
    }
  }

  /** Runs an operation bounded by the timeout, with errors wrapped and delivered (see deliver). */
  private run<T>(operation: string, callback: unknown, body: () => Promise<T>, sid?: unknown): Promise<T> | undefined {
    return this.launch(operation, callback, body, sid, true);
  }

  /** Like run, for enumerations whose every backend step is bounded instead of the whole. */
  private runUnbounded<T>(
    operation: string,
    callback: unknown,
    body: () => Promise<T>,
    sid?: unknown,
  ): Promise<T> | undefined {
    return this.launch(operation, callback, body, sid, false);
  }

  /**
   * Starts `body` and answers by callback (on a later tick, so a callback that throws is never
   * taken for the operation failing) or by a promise, with errors wrapped. This is the hot path
   * of every call: with a callback, as express-session calls, no promise is made beyond the
   * body's own (see settleWithin).
   */
  private launch<T>(
    operation: string,
    callback: unknown,
    body: () => Promise<T>,
    sid: unknown,
    bounded: boolean,
  ): Promise<T> | undefined {
    let outcome: Promise<T>;
    try {
      this.checkOpen(operation);
      outcome = body();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    // No function here is bound to a name: the build keeps function names (readable stacks), and
    // naming a closure costs a defineProperty on every call of this hot path.
    if (typeof callback === 'function') {
      if (bounded)
        settleWithin(
          outcome,
          this.operationTimeoutMs,
          () => this.timeoutError(operation),
          (value) => process.nextTick(callback as Cb<T>, null, value),
          (error) => process.nextTick(callback as Cb<T>, this.wrapError(operation, error, sid)),
        );
      else
        outcome.then(
          (value) => process.nextTick(callback as Cb<T>, null, value),
          (error: unknown) => process.nextTick(callback as Cb<T>, this.wrapError(operation, error, sid)),
        );
      return undefined;
    }
    const answer = bounded
      ? withDeadline(outcome, this.operationTimeoutMs, () => this.timeoutError(operation))
      : outcome;
    return deliver(
      answer.catch((error: unknown) => {
        throw this.wrapError(operation, error, sid);
      }),
      undefined,
    );
  }

  /** An operation's failure as the caller gets it. The sid is a bearer credential: scrubbed from what the error carries (clause 66). */
  private wrapError(operation: string, error: unknown, sid: unknown): Error {
    return toStoreError(this.storeName, operation, error, typeof sid === 'string' ? [sid] : []);
  }

  private timeoutError(operation: string): Error {
    return storeError(
      this.storeName,
      operation,
      StoreErrorCode.timeout,
      `no answer from the backend within ${this.operationTimeoutMs} ms`,
    );
  }

  /**
   * Why `sid` cannot be stored, or null. A sid that is not well-formed UTF-16 (a lone surrogate)
   * is refused on every store: UTF-8, which every backend's keys are sent as, turns each lone
   * surrogate into U+FFFD, so two distinct sids would address one record and one user would read
   * another's session. Then the store's own reasons ({@link unstorableSid}).
   */
  private unstorable(sid: string): string | null {
    if (!isWellFormed(sid))
      return 'the sid is not well-formed UTF-16 (it holds a lone surrogate), which no backend keeps apart from other sids';
    return this.unstorableSid?.(sid) ?? null;
  }

  private checkOpen(operation: string): void {
    if (this.closed) throw storeError(this.storeName, operation, StoreErrorCode.closed, 'the store is closed');
  }

  private checkSid(operation: string, sid: unknown): asserts sid is string {
    if (typeof sid !== 'string' || sid.length === 0) {
      throw storeError(
        this.storeName,
        operation,
        StoreErrorCode.invalidArgument,
        `sid must be a non-empty string, got ${sid === '' ? 'an empty string' : typeof sid}`,
      );
    }
  }

  private checkSession(operation: string, session: unknown): void {
    if (!isSessionObject(session)) {
      throw storeError(
        this.storeName,
        operation,
        StoreErrorCode.invalidArgument,
        `session must be an object, got ${session === null ? 'null' : Array.isArray(session) ? 'an array' : typeof session}`,
      );
    }
  }

  private expiresAt(operation: string, session: SessionData, sid: string, now: number): number {
    try {
      return resolveExpiresAt(session, sid, now, this.ttl);
    } catch (error) {
      if (error instanceof ExpiryError)
        throw storeError(this.storeName, operation, StoreErrorCode.invalidArgument, error.message);
      throw error;
    }
  }
}

/**
 * Lets the backend's page iterator release what it holds (a cursor) when iteration stops early.
 * Not awaited: after a timed-out page the iterator is still stuck in that page, and its
 * `return()` would wait for it forever.
 */
function releasePages(pages: AsyncIterator<unknown>): void {
  pages.return?.()?.catch(() => {});
}

/** String.prototype.isWellFormed (Node 20+), which the ES2023 typings the packages build with lack. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** Makes a method absent on this instance (typeof store[name] === 'undefined'). */
function hide(store: object, ...names: string[]): void {
  for (const name of names)
    Object.defineProperty(store, name, { value: undefined, configurable: true, writable: true, enumerable: false });
}

/** Replaces a real `cookie.expires` by the backend's expiry; browser-session cookies (null, false) stay as they are. */
function alignCookieExpiry(session: Record<string, unknown>, expiresAt: number): void {
  const cookie = session.cookie;
  if (!isSessionObject(cookie)) return;
  const expires = cookie.expires;
  if (expires === null || expires === undefined || expires === false) return;
  cookie.expires = isoString(expiresAt);
}
