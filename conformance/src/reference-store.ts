import expressSession from 'express-session';
import type { SessionData } from 'express-session';
import type { ConformanceOptions, Inspector, StoreCapabilities, StoreContext, StoreUnderTest } from './types';

/** One stored session: its JSON text and when it expires (epoch ms). */
export interface ReferenceRecord {
  json: string;
  expiresAt: number;
  /** The session's user, with the `userId` option; written with the record, as an indexed column is. */
  user?: string | null;
}

type Callback<T> = (error: unknown, value?: T) => void;
type Work<T> = () => T;

const ignore = (): void => {};

/** The latest expiry a store keeps: the last instant a four-digit ISO 8601 year names (clause 64). */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The "server" of the reference store: one Map shared by every store made on it, keyed
 * `namespace:sid`, and a switch that takes it down to simulate an outage. Work runs on a later
 * event-loop turn, as it would over a network.
 */
export class ReferenceBackend {
  readonly records = new Map<string, ReferenceRecord>();
  private isDown = false;
  private readonly stores = new Set<ReferenceStore>();

  get down(): boolean {
    return this.isDown;
  }

  attach(store: ReferenceStore): void {
    this.stores.add(store);
  }

  detach(store: ReferenceStore): void {
    this.stores.delete(store);
  }

  /** Runs `work` on a later turn; fails like a refused connection while the backend is down. */
  execute<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        if (this.isDown) {
          reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:0 (reference backend is down)'), {
              code: 'ECONNREFUSED',
            }),
          );
          return;
        }
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Simulates the server going away: every store on it reports `disconnect`. */
  async stopBackend(): Promise<void> {
    if (this.isDown) return;
    this.isDown = true;
    for (const store of this.stores) store.connectionChanged(false);
  }

  /** Brings the server back: every store on it reports `connect`. */
  async startBackend(): Promise<void> {
    if (!this.isDown) return;
    this.isDown = false;
    for (const store of this.stores) store.connectionChanged(true);
  }
}

const defaultBackend = new ReferenceBackend();

export interface ReferenceStoreOptions {
  /** Key prefix; stores with the same namespace on the same backend share sessions. Default `sess`. */
  namespace?: string;
  /** Where sessions live. Default: one backend shared by the whole process. */
  backend?: ReferenceBackend;
  /** Lifetime of sessions whose cookie has no expiry, in ms. Default one day. */
  defaultTtlMs?: number;
  /** Largest serialized session accepted, in bytes; null (default) for no limit. */
  maxSessionBytes?: number | null;
  /** Page size of iterate(). Default 100. */
  pageSize?: number;
  /**
   * The user of a session (null or undefined for none). When given, the store has
   * userSessions, countUserSessions and destroyUserSessions (clauses 57-62); otherwise they are
   * absent. Default: none.
   */
  userId?: (session: SessionData) => string | null | undefined;
}

type UserEntry = { sid: string; session: Record<string, unknown> };

/** Error codes of the reference store. None is ENOENT: that means "not found" to express-session. */
export const ReferenceErrorCode = {
  backend: 'ERR_REFERENCE_BACKEND',
  invalidArgument: 'ERR_REFERENCE_INVALID_ARGUMENT',
  serialize: 'ERR_REFERENCE_SERIALIZE',
  tooLarge: 'ERR_REFERENCE_TOO_LARGE',
  corrupt: 'ERR_REFERENCE_CORRUPT',
  closed: 'ERR_REFERENCE_CLOSED',
} as const;

export class ReferenceStoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReferenceStoreError';
  }
}

/** An error raised by a check, before the operation name is known to be prefixed. */
class OperationFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The check of a sid or a user id argument: a bad one is an error through the callback. */
function requireNonEmptyString(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    throw new OperationFailure(
      ReferenceErrorCode.invalidArgument,
      `${what} must be a non-empty string, got ${typeof value}`,
    );
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A correct, in-memory express-session store: what the conformance suite expects, in the
 * fewest lines. It passes every clause, and the suite's self-test breaks it one clause at a
 * time. Millisecond expiry from `cookie.expires`, JSON serialization done at call time,
 * callbacks on their own tick, promises when no callback is given, paged iteration.
 *
 * Not for production: it keeps sessions in the process's memory.
 */
export class ReferenceStore extends expressSession.Store implements StoreUnderTest {
  readonly capabilities: StoreCapabilities;
  readonly namespace: string;
  readonly backend: ReferenceBackend;
  protected readonly defaultTtlMs: number;
  protected readonly maxSessionBytes: number | null;
  protected readonly pageSize: number;
  protected readonly userIdOf: ((session: SessionData) => string | null | undefined) | null;
  private connected = true;
  private closed = false;

  constructor(options: ReferenceStoreOptions = {}) {
    super();
    if (!isPlainRecord(options as unknown)) throw new TypeError('ReferenceStore: options must be an object');
    const {
      namespace = 'sess',
      backend = defaultBackend,
      defaultTtlMs = 86_400_000,
      maxSessionBytes = null,
      pageSize = 100,
      userId = null,
    } = options;
    if (typeof namespace !== 'string' || !/^[A-Za-z0-9_]+$/.test(namespace))
      throw new TypeError('ReferenceStore: option "namespace" must be a string of letters, digits and _');
    if (!(backend instanceof ReferenceBackend))
      throw new TypeError('ReferenceStore: option "backend" must be a ReferenceBackend');
    if (!Number.isFinite(defaultTtlMs) || defaultTtlMs <= 0)
      throw new TypeError('ReferenceStore: option "defaultTtlMs" must be a positive number of ms');
    if (maxSessionBytes !== null && (!Number.isFinite(maxSessionBytes) || maxSessionBytes <= 0))
      throw new TypeError('ReferenceStore: option "maxSessionBytes" must be a positive number or null');
    if (!Number.isInteger(pageSize) || pageSize <= 0)
      throw new TypeError('ReferenceStore: option "pageSize" must be a positive integer');
    if (userId !== null && typeof userId !== 'function')
      throw new TypeError('ReferenceStore: option "userId" must be a function (session) => user id');
    this.userIdOf = userId;
    if (!userId) {
      // Absent, not stubbed (clause 28): a store without the option cannot answer by user.
      for (const name of ['userSessions', 'countUserSessions', 'destroyUserSessions'])
        Object.defineProperty(this, name, { value: undefined, configurable: true, writable: true });
    }
    this.namespace = namespace;
    this.backend = backend;
    this.defaultTtlMs = defaultTtlMs;
    this.maxSessionBytes = maxSessionBytes;
    this.pageSize = pageSize;
    this.capabilities = {
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
      maxSessionBytes,
      persistent: true,
      defaultTtlMs,
      sessionsByUser: userId !== null,
    };
    backend.attach(this);
  }

  // express-session's Store API ------------------------------------------------------------

  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> | undefined {
    return this.operation('get', callback, () => {
      this.checkSid(sid);
      return () => this.readSession(sid) as SessionData | null;
    });
  }

  set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> | undefined {
    return this.operation('set', callback, () => {
      this.checkSid(sid);
      this.checkSession(session);
      // Serialized now, at the call: later changes by the caller cannot leak in (clause 30).
      const json = this.serialize(session);
      const expiresAt = this.expiresAtOf(session, Date.now());
      const user = this.userOf(session);
      return () => this.writeSession(sid, json, expiresAt, user);
    });
  }

  override touch(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> | undefined {
    return this.operation('touch', callback, () => {
      this.checkSid(sid);
      this.checkSession(session);
      if (!isPlainRecord(session.cookie))
        throw new OperationFailure(ReferenceErrorCode.invalidArgument, "touch needs the session's cookie");
      const cookieJson = this.serialize(session.cookie);
      const expiresAt = this.expiresAtOf(session, Date.now());
      return () => this.touchSession(sid, cookieJson, expiresAt);
    });
  }

  destroy(sid: string, callback?: Callback<void>): Promise<void> | undefined {
    return this.operation('destroy', callback, () => {
      this.checkSid(sid);
      return () => this.deleteSession(sid);
    });
  }

  override all(
    callback?: Callback<(SessionData & { id: string })[]>,
  ): Promise<(SessionData & { id: string })[]> | undefined {
    return this.operation(
      'all',
      callback,
      () => () =>
        this.liveEntries().map(({ sid, session }) => ({ ...session, id: sid }) as SessionData & { id: string }),
    );
  }

  ids(callback?: Callback<string[]>): Promise<string[]> | undefined {
    return this.operation('ids', callback, () => () => this.liveEntries().map(({ sid }) => sid));
  }

  override length(callback?: Callback<number>): Promise<number> | undefined {
    return this.operation('length', callback, () => () => this.liveEntries().length);
  }

  override clear(callback?: Callback<void>): Promise<void> | undefined {
    return this.operation('clear', callback, () => () => {
      for (const key of this.namespaceKeys()) this.backend.records.delete(key);
    });
  }

  /** The live sessions of `userId`, each with its sid. */
  userSessions(userId: string, callback?: Callback<UserEntry[]>): Promise<UserEntry[]> | undefined {
    return this.operation('userSessions', callback, () => {
      this.checkUserId(userId);
      return () => this.userEntries(userId);
    });
  }

  countUserSessions(userId: string, callback?: Callback<number>): Promise<number> | undefined {
    return this.operation('countUserSessions', callback, () => {
      this.checkUserId(userId);
      return () => this.userEntries(userId).length;
    });
  }

  /** Destroys the sessions of `userId` but `options.except`; gives how many it destroyed. */
  destroyUserSessions(
    userId: string,
    optionsOrCallback?: { except?: string } | Callback<number>,
    callback?: Callback<number>,
  ): Promise<number> | undefined {
    const options = typeof optionsOrCallback === 'function' ? {} : (optionsOrCallback ?? {});
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    return this.operation('destroyUserSessions', done, () => {
      this.checkUserId(userId);
      if (!isPlainRecord(options) || (options.except !== undefined && typeof options.except !== 'string'))
        throw new OperationFailure(ReferenceErrorCode.invalidArgument, 'options must be { except?: sid }');
      const except = options.except ?? null;
      return () => this.deleteUserSessions(userId, except);
    });
  }

  /** Live sessions, read a page at a time (each page is one backend round trip). */
  async *iterate(): AsyncGenerator<{ sid: string; session: Record<string, unknown> }> {
    let after: string | null = null;
    for (;;) {
      const cursor = after;
      let page: { sid: string; session: Record<string, unknown> }[];
      try {
        this.checkOpen();
        page = await this.backend.execute(() => this.readPage(cursor));
      } catch (error) {
        throw this.wrapError('iterate', error);
      }
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.sid;
      if (page.length < this.pageSize) return;
    }
  }

  /** Detaches from the backend. Later calls fail with ERR_REFERENCE_CLOSED. */
  close(callback?: Callback<void>): Promise<void> | undefined {
    this.closed = true;
    this.backend.detach(this);
    return this.deliver(Promise.resolve(), callback);
  }

  /** Called by the backend when it goes down or comes back. */
  connectionChanged(up: boolean): void {
    if (this.connected === up) return;
    this.connected = up;
    setImmediate(() => this.emitSafely(up ? 'connect' : 'disconnect'));
  }

  /**
   * Emits from a background path (clause 63): each listener runs, and what one throws is
   * reported with process.emitWarning instead of ending the process.
   */
  protected emitSafely(event: string, ...args: unknown[]): void {
    for (const listener of this.rawListeners(event)) {
      try {
        (listener as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        process.emitWarning(
          `ReferenceStore: a "${event}" listener threw: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
  }

  // Backend work (runs inside ReferenceBackend.execute) --------------------------------------

  protected key(sid: string): string {
    return `${this.namespace}:${sid}`;
  }

  protected readRecord(sid: string): ReferenceRecord | null {
    const record = this.backend.records.get(this.key(sid));
    if (!record) return null;
    if (record.expiresAt <= Date.now()) {
      this.backend.records.delete(this.key(sid));
      return null;
    }
    return record;
  }

  protected readSession(sid: string): Record<string, unknown> | null {
    const record = this.readRecord(sid);
    return record ? this.parse(record.json) : null;
  }

  protected writeSession(sid: string, json: string, expiresAt: number, user: string | null = null): void {
    if (expiresAt <= Date.now()) this.backend.records.delete(this.key(sid));
    else this.backend.records.set(this.key(sid), { json, expiresAt, user });
  }

  /** Moves the expiry and replaces the stored cookie, keeping the stored data (clauses 19-21). */
  protected touchSession(sid: string, cookieJson: string, expiresAt: number): void {
    const record = this.readRecord(sid);
    if (!record) return;
    if (expiresAt <= Date.now()) {
      this.backend.records.delete(this.key(sid));
      return;
    }
    const stored = this.parse(record.json);
    stored.cookie = JSON.parse(cookieJson) as unknown;
    this.backend.records.set(this.key(sid), { ...record, json: JSON.stringify(stored), expiresAt });
  }

  protected deleteSession(sid: string): void {
    this.backend.records.delete(this.key(sid));
  }

  /** Keys of this namespace, sorted, so pages are stable. */
  protected namespaceKeys(): string[] {
    const prefix = `${this.namespace}:`;
    return [...this.backend.records.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Every live, readable session of this namespace; unreadable records are skipped. */
  protected liveEntries(): { sid: string; session: Record<string, unknown> }[] {
    const entries: { sid: string; session: Record<string, unknown> }[] = [];
    const prefixLength = this.namespace.length + 1;
    for (const key of this.namespaceKeys()) {
      const sid = key.slice(prefixLength);
      const session = this.readReadable(sid);
      if (session) entries.push({ sid, session });
    }
    return entries;
  }

  /** The live sessions whose record was written for `userId`. */
  protected userEntries(userId: string): UserEntry[] {
    return this.liveEntries().filter(({ sid }) => this.backend.records.get(this.key(sid))?.user === userId);
  }

  /** Deletes the live sessions of `userId` but `except`; gives how many. */
  protected deleteUserSessions(userId: string, except: string | null): number {
    const doomed = this.userEntries(userId).filter(({ sid }) => sid !== except);
    for (const { sid } of doomed) this.deleteSession(sid);
    return doomed.length;
  }

  protected readPage(after: string | null): { sid: string; session: Record<string, unknown> }[] {
    const page: { sid: string; session: Record<string, unknown> }[] = [];
    const prefixLength = this.namespace.length + 1;
    for (const key of this.namespaceKeys()) {
      const sid = key.slice(prefixLength);
      if (after !== null && sid <= after) continue;
      const session = this.readReadable(sid);
      if (session) page.push({ sid, session });
      if (page.length === this.pageSize) break;
    }
    return page;
  }

  private readReadable(sid: string): Record<string, unknown> | null {
    try {
      return this.readSession(sid);
    } catch {
      return null;
    }
  }

  // Serialization, expiry, checks -------------------------------------------------------------

  protected serialize(value: unknown): string {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new OperationFailure(
        ReferenceErrorCode.serialize,
        `the session cannot be serialized: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (json === undefined)
      throw new OperationFailure(ReferenceErrorCode.serialize, 'the session serializes to nothing');
    if (this.maxSessionBytes !== null && Buffer.byteLength(json) > this.maxSessionBytes) {
      throw new OperationFailure(
        ReferenceErrorCode.tooLarge,
        `the session is ${Buffer.byteLength(json)} bytes, more than maxSessionBytes ${this.maxSessionBytes}`,
      );
    }
    return json;
  }

  protected parse(json: string): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new OperationFailure(ReferenceErrorCode.corrupt, 'the stored session is not JSON', { cause: error });
    }
    if (!isPlainRecord(parsed) || (parsed.cookie !== undefined && !isPlainRecord(parsed.cookie)))
      throw new OperationFailure(ReferenceErrorCode.corrupt, 'the stored session is not a session object');
    return parsed;
  }

  /** Expiry from cookie.expires (a Date, or an ISO string in plain JSON); none means the default TTL. */
  protected expiresAtOf(session: SessionData, now: number): number {
    const expires: unknown = (session.cookie as { expires?: unknown } | undefined)?.expires;
    // Read as JSON keeps it (clauses 13, 42): an Invalid Date becomes null, the default lifetime.
    if (expires === null || expires === undefined || expires === false) return now + this.defaultTtlMs;
    if (expires instanceof Date && Number.isNaN(expires.getTime())) return now + this.defaultTtlMs;
    const time =
      expires instanceof Date
        ? expires.getTime()
        : typeof expires === 'string' || typeof expires === 'number'
          ? new Date(expires).getTime()
          : Number.NaN;
    // The message names the kind of value, never the value: it is session contents (clause 66).
    if (Number.isNaN(time))
      throw new OperationFailure(
        ReferenceErrorCode.invalidArgument,
        `cookie.expires is not a date (${typeof expires})`,
      );
    if (time > LATEST_EXPIRY)
      throw new OperationFailure(
        ReferenceErrorCode.invalidArgument,
        'cookie.expires is after 9999-12-31T23:59:59.999Z, the latest expiry kept (clause 64)',
      );
    return time;
  }

  protected checkSid(sid: unknown): asserts sid is string {
    requireNonEmptyString('sid', sid);
  }

  /** The user of a session being set: a non-empty string, or null for none. */
  protected userOf(session: SessionData): string | null {
    if (!this.userIdOf) return null;
    const user = this.userIdOf(session);
    if (user === null || user === undefined) return null;
    if (typeof user !== 'string' || user.length === 0)
      throw new OperationFailure(ReferenceErrorCode.invalidArgument, 'option "userId" must return a non-empty string');
    return user;
  }

  protected checkUserId(userId: unknown): asserts userId is string {
    requireNonEmptyString('userId', userId);
  }

  protected checkSession(session: unknown): void {
    if (!isPlainRecord(session))
      throw new OperationFailure(
        ReferenceErrorCode.invalidArgument,
        `session must be an object, got ${session === null ? 'null' : typeof session}`,
      );
    // The rule parse applies on the way back: a null or array cookie would be acknowledged here,
    // then read back as corrupt.
    if (session.cookie !== undefined && !isPlainRecord(session.cookie))
      throw new OperationFailure(ReferenceErrorCode.invalidArgument, 'session.cookie must be an object');
  }

  private checkOpen(): void {
    if (this.closed) throw new OperationFailure(ReferenceErrorCode.closed, 'the store is closed');
  }

  // Callbacks and promises ----------------------------------------------------------------------

  /**
   * Runs an operation: `prepare` checks and serializes synchronously and returns the backend
   * work; errors are wrapped with the store and operation names, then delivered.
   */
  protected operation<T>(
    name: string,
    callback: Callback<T> | undefined,
    prepare: () => Work<T>,
  ): Promise<T> | undefined {
    let outcome: Promise<T>;
    try {
      this.checkOpen();
      outcome = this.backend.execute(prepare());
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return this.deliver(
      outcome.catch((error: unknown) => {
        throw this.wrapError(name, error);
      }),
      callback,
    );
  }

  /**
   * The callback runs on its own tick, outside the promise chain: always asynchronous, and a
   * throw in it is an ordinary uncaught exception, never fed back to it. Without a callback
   * the promise is returned, with a no-op handler so that ignoring it never rejects unhandled.
   */
  protected deliver<T>(outcome: Promise<T>, callback: Callback<T> | undefined): Promise<T> | undefined {
    if (typeof callback === 'function') {
      outcome.then(
        (value) => process.nextTick(callback, null, value),
        (error: unknown) => process.nextTick(callback, error),
      );
      return undefined;
    }
    outcome.catch(ignore);
    return outcome;
  }

  protected wrapError(operation: string, error: unknown): ReferenceStoreError {
    if (error instanceof ReferenceStoreError) return error;
    if (error instanceof OperationFailure)
      return new ReferenceStoreError(`ReferenceStore.${operation} failed: ${error.message}`, error.code, {
        cause: error.cause ?? error,
      });
    const reason = error instanceof Error ? error.message : String(error);
    return new ReferenceStoreError(`ReferenceStore.${operation} failed: ${reason}`, ReferenceErrorCode.backend, {
      cause: error,
    });
  }
}

function referenceRecord(store: StoreUnderTest, sid: string): { backend: ReferenceBackend; key: string } {
  if (!(store instanceof ReferenceStore))
    throw new TypeError('referenceInspector works on ReferenceStore instances only');
  return { backend: store.backend, key: `${store.namespace}:${sid}` };
}

/** Reads and writes a ReferenceStore's backend directly (the suite's inspection hooks). */
export const referenceInspector: Required<Inspector> = {
  async rawTtlMs(store, sid) {
    const { backend, key } = referenceRecord(store, sid);
    const record = backend.records.get(key);
    if (!record || record.expiresAt <= Date.now()) return null;
    return record.expiresAt - Date.now();
  },
  async rawValue(store, sid) {
    const { backend, key } = referenceRecord(store, sid);
    return backend.records.get(key)?.json ?? null;
  },
  async writeCorrupt(store, sid, kind) {
    const { backend, key } = referenceRecord(store, sid);
    const expiresAt = backend.records.get(key)?.expiresAt ?? Date.now() + 3_600_000;
    backend.records.set(key, {
      json: kind === 'not-json' ? '{"cookie":{"expires":' : '["not","a","session"]',
      expiresAt,
    });
  },
};

export interface ReferenceConformanceOptions {
  name?: string;
  /** Makes the store for a namespace on the given backend (default: a ReferenceStore). */
  createStore?: (backend: ReferenceBackend, namespace: string, userId: StoreContext['userId']) => StoreUnderTest;
  faultTimeoutMs?: number;
  recoveryTimeoutMs?: number;
}

/**
 * Conformance options for the reference store on a backend of its own, with the inspection
 * hooks and a simulated outage for the fault clauses.
 */
export function referenceConformanceOptions(
  options: ReferenceConformanceOptions = {},
): ConformanceOptions & { backend: ReferenceBackend } {
  const backend = new ReferenceBackend();
  const create =
    options.createStore ??
    ((on: ReferenceBackend, namespace: string, userId: StoreContext['userId']) =>
      new ReferenceStore({ backend: on, namespace, userId }));
  return {
    name: options.name ?? 'ReferenceStore',
    backend,
    createStore: ({ namespace, userId }) => create(backend, namespace, userId),
    inspect: referenceInspector,
    faults: { stopBackend: () => backend.stopBackend(), startBackend: () => backend.startBackend() },
    ...(options.faultTimeoutMs === undefined ? {} : { faultTimeoutMs: options.faultTimeoutMs }),
    ...(options.recoveryTimeoutMs === undefined ? {} : { recoveryTimeoutMs: options.recoveryTimeoutMs }),
  };
}
