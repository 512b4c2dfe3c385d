import {
  describeCause,
  resolveExpiresAt,
  SessionStoreBase,
  storeError,
  StoreErrorCode,
  validate,
  withDeadline,
  type RecordInspection,
  type StoredEntry,
  type StoredRecord,
} from '@session-stores/core';
import type { SessionData } from 'express-session';
import { BSON, type Collection, type MongoClient, type UpdateFilter, type WriteConcernSettings } from 'mongodb';
import { fromBson, toBson } from './bson-session';
import { createOwnClient, DUPLICATE_KEY, isServerRefusal } from './own-client';
import {
  type AutoRemove,
  DEFAULT_TTL_SECONDS,
  type MongoStoreOptions,
  type ResolvedMongoOptions,
  notAMongoClient,
  resolveOptions,
  STORE_NAME,
} from './options';
import { inspectMongoRecord } from './inspect-record';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { OwnedConnection } from './owned-connection';
import { ConnectionWatch } from './connection-watch';
import { liveOfUser, USER_FIELD, USER_INDEX } from './user-index';
import { MongoStoreWarning, MongoStoreWarningCode } from './warning';
import { legacyCrypto, type LegacyDecryption } from './legacy-crypto';

/** A session document, as connect-mongo writes it. */
export interface SessionDocument {
  _id: string;
  /** The session as JSON text (stringify: true), or as a sub-document (stringify: false). */
  session: unknown;
  /** When the session expires; the TTL index and every query use it. */
  expires: Date;
  /** The session's user, with the `userId` option (absent without it). */
  userId?: string | null;
  /** With `timestamps` (as connect-mongo): when the session was first written. */
  createdAt?: Date;
  /** With `timestamps` (as connect-mongo): the last set or touch. */
  updatedAt?: Date;
}

/** MongoDB's (and FerretDB's) largest document. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/** The TTL index connect-mongo creates, under the same name, so either package finds the other's. */
const TTL_INDEX = { key: { expires: 1 }, name: 'expires_1' } as const;
// Reads always get plain JS values, whatever the client's defaults: Binary stays Binary (for
// the subtype of encoded strings), and no BigInt that JSON could not handle.
const READ_OPTIONS = {
  promoteBuffers: false,
  promoteValues: true,
  promoteLongs: true,
  useBigInt64: false,
  bsonRegExp: false,
} as const;
const RECORD_PROJECTION = { session: 1, expires: 1 } as const;
const noop = (): void => {};
/** How often a store retries connecting its own client while its first connection cannot be made. */
const RECONNECT_INTERVAL_MS = 1000;

/**
 * An express-session store on MongoDB, using connect-mongo's document layout
 * (`{ _id: sid, session, expires }`) so an app can switch from connect-mongo, and back,
 * without logging anyone out. Works with MongoDB and with FerretDB (see the README).
 *
 * Expiry is the `expires` field: every read checks `expires > now` (in the query, or on the
 * document read by _id), so an expired session is never returned whether or not the TTL
 * monitor or the prune timer has run yet.
 */
export class MongoStore extends SessionStoreBase {
  private readonly settings: ResolvedMongoOptions;
  /**
   * The keeper of the client made from `mongoUrl` (see OwnedConnection); null for a client
   * someone else made. It stands for the `ownsClient` flag of the other stores.
   */
  private readonly owned: OwnedConnection | null;
  private readonly collectionReady: Promise<Collection<SessionDocument>>;
  private watch: ConnectionWatch | null = null;
  private watchdog: HeartbeatWatchdog | null = null;
  private autoRemoveMode: AutoRemove | 'pending';
  private indexing = false;
  private backendClosed = false;
  private userIndexState: 'missing' | 'creating' | 'created' = 'missing';
  private serverIsFerretDb: Promise<boolean> | null = null;
  /** Reads sessions connect-mongo encrypted (its `crypto` or `cryptoAdapter`), which are then written again in ours. */
  private readonly legacy: LegacyDecryption | null;
  /** What a command's server-side limit keeps before the call's deadline: the server's answer must arrive first. */
  private readonly landingMarginMs: number;

  constructor(options: MongoStoreOptions) {
    // connect-mongo's crypto options decide the `encryption` the base sets up, so they come first.
    const legacy = legacyCrypto(validate.checkOptionsObject(STORE_NAME, options));
    super(
      {
        storeName: STORE_NAME,
        defaultTtlSeconds: DEFAULT_TTL_SECONDS,
        ttlGranularityMs: 1,
        maxSessionBytes: MAX_DOCUMENT_BYTES,
      },
      legacy.encryption === undefined ? options : { ...options, encryption: legacy.encryption },
    );
    this.legacy = legacy.reader;
    this.landingMarginMs = Math.min(1000, Math.max(50, Math.round(this.operationTimeoutMs * 0.1)));
    const settings = resolveOptions(options);
    this.settings = settings;
    this.autoRemoveMode = settings.autoRemove === 'native' ? 'pending' : settings.autoRemove;

    const source = settings.source;
    this.owned =
      source.kind === 'mongoUrl'
        ? new OwnedConnection(
            createOwnClient(source.mongoUrl, source.mongoOptions, this.operationTimeoutMs),
            RECONNECT_INTERVAL_MS,
          )
        : null;
    const clientReady = Promise.resolve(
      source.kind === 'client'
        ? source.client
        : source.kind === 'clientPromise'
          ? source.clientPromise
          : this.owned!.client,
    ).then((client) => {
      // What clientPromise resolves to is only known now: something else (a Mongoose instance,
      // undefined) fails every call with this error, and is never used (it would throw in the
      // background, where nothing catches it).
      const problem = notAMongoClient(client);
      if (problem !== null)
        throw new TypeError(`${STORE_NAME}: option "clientPromise" must resolve to a MongoClient; ${problem}`);
      return client;
    });
    this.collectionReady = clientReady.then((client) =>
      client.db(settings.dbName).collection<SessionDocument>(settings.collectionName),
    );
    // A rejected clientPromise fails every call through its callback; it must not also be unhandled here.
    this.collectionReady.catch(noop);
    clientReady.then((client) => this.start(client), noop);
  }

  /** connect-mongo's factory, so `MongoStore.create({ mongoUrl })` carries over as it is. */
  static create(options: MongoStoreOptions): MongoStore {
    return new MongoStore(options);
  }

  /** How expired documents are being removed now: `pending` while the TTL index is being created. */
  get autoRemove(): AutoRemove | 'pending' {
    return this.autoRemoveMode;
  }

  // Backend primitives ----------------------------------------------------------------------

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    const deadline = this.deadline();
    const collection = await this.collection();
    // By _id alone, with the expiry checked here on the `expires` read back: the same guarantee
    // as filtering `expires > now` in the query (no expired session, whether or not anything has
    // removed it yet), and FerretDB answers only an _id-only filter from its index: with any
    // other field it scans the whole collection.
    const document = await collection.findOne(
      { _id: sid },
      { projection: RECORD_PROJECTION, ...READ_OPTIONS, ...this.timeLimit(deadline) },
    );
    if (!document || !isLive(document.expires, Date.now())) return null;
    return this.recordOf(collection, sid, document);
  }

  protected async writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session: SessionData,
    userId: string | null,
  ): Promise<void> {
    const deadline = this.deadline();
    const fields: Partial<SessionDocument> = {
      session: this.storedValue(payload),
      expires: new Date(expiresAt),
    };
    // The user goes in the same update as the session: one document, so one atomic write.
    // Without the option the field is removed, so that a store without it, sharing the
    // collection, never leaves a session listed under the user it had.
    if (this.indexesUsers) {
      fields.userId = userId;
      this.createUserIndex();
    }
    const bytes = BSON.calculateObjectSize({ _id: sid, ...fields });
    if (bytes > MAX_DOCUMENT_BYTES) {
      throw storeError(
        STORE_NAME,
        'set',
        StoreErrorCode.tooLarge,
        `the session document would be ${bytes} bytes, more than the ${MAX_DOCUMENT_BYTES} a MongoDB document can hold`,
      );
    }
    const collection = await this.collection();
    const update: UpdateFilter<SessionDocument> = this.indexesUsers
      ? { $set: fields }
      : { $set: fields, $unset: { [USER_FIELD]: '' as const } };
    if (this.settings.timestamps) {
      update.$setOnInsert = { createdAt: new Date() };
      update.$currentDate = { updatedAt: true };
    }
    const upsert = () => collection.updateOne({ _id: sid }, update, { upsert: true, ...this.writeOptions(deadline) });
    try {
      await upsert();
    } catch (error) {
      // Two upserts of a new sid can race to insert; the loser's retry finds the document and
      // updates it (MongoDB's documented remedy; recent servers retry such upserts themselves).
      if ((error as { code?: unknown })?.code !== DUPLICATE_KEY) throw error;
      await upsert();
    }
  }

  /**
   * Moves the expiry and keeps the stored cookie true (clauses 19, 20, 56), like every store: a
   * cookie whose maxAge changed without any data changing (a "remember me" that only sets
   * cookie.maxAge) is only ever saved through touch. The cookie lives inside the stored
   * session, so the session is read, its cookie replaced, and written back only if it is still
   * the one read (compare-and-set); data is never taken from `session`, which may be stale.
   */
  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    const deadline = this.deadline();
    const collection = await this.collection();
    const expires = new Date(expiresAt);
    // Encrypted: the expiry is sealed with the data, so the record is rewritten even without a cookie.
    if (this.touchedCookieJson('touch', session) === null && !this.encrypts) {
      await this.moveExpiry(collection, sid, expires, deadline);
      return;
    }
    // By _id alone (see readRecord): only a live document, so touch never revives an expired or
    // destroyed session (clauses 21, 50), and finding none is not an error.
    const document = await collection.findOne(
      { _id: sid },
      { projection: RECORD_PROJECTION, ...READ_OPTIONS, ...this.timeLimit(deadline) },
    );
    if (!document || !isLive(document.expires, Date.now())) return;
    const record = await this.recordOf(collection, sid, document);
    if (record === null) return;
    // A session connect-mongo encrypted has just been written again in this store's format (recordOf).
    const upgraded = typeof document.session === 'string' && record.payload !== document.session;
    const stored = upgraded ? this.storedValue(record.payload as string) : document.session;
    const rewritten = this.rewriteCookie('touch', sid, record.payload, session, expiresAt);
    if (rewritten === null) {
      // Unreadable (reported as decodeError): move the expiry, leave the data to get() to judge.
      await collection.updateOne({ _id: sid }, this.updateOf({ expires }), this.writeOptions(deadline));
      return;
    }
    // Written back in the layout it was read in, so a collection being migrated keeps both.
    const value = typeof stored === 'string' ? rewritten : toBson(JSON.parse(rewritten));
    // FerretDB answers only an _id filter from its index (any other field scans the collection),
    // and it does not isolate concurrent updates of one document anyway (README, "FerretDB"):
    // there the write goes by _id alone.
    const filter = (await this.isFerretDb()) ? { _id: sid } : { _id: sid, session: stored };
    const { matchedCount } = await collection.updateOne(
      filter,
      this.updateOf({ session: value, expires }),
      this.writeOptions(deadline),
    );
    // The session changed since the read: a set() got in between, with a cookie of its own. Only
    // the expiry moves then, as touch always did (the document may also hold values this driver
    // reads back as other types, which the comparison cannot match).
    if (matchedCount === 0) await this.moveExpiry(collection, sid, expires, deadline);
  }

  /** Moves the expiry of a live document only. */
  private async moveExpiry(
    collection: Collection<SessionDocument>,
    sid: string,
    expires: Date,
    deadline: number,
  ): Promise<void> {
    const update = this.updateOf({ expires });
    if (!(await this.isFerretDb())) {
      await collection.updateOne({ _id: sid, expires: { $gt: new Date() } }, update, this.writeOptions(deadline));
      return;
    }
    // FerretDB scans the collection for a filter on more than _id (see readRecord): check
    // liveness on a read by _id, then update by _id. Without upsert, a session destroyed in
    // between stays destroyed.
    const document = await collection.findOne(
      { _id: sid },
      { projection: { expires: 1 }, ...READ_OPTIONS, ...this.timeLimit(deadline) },
    );
    if (document && isLive(document.expires, Date.now()))
      await collection.updateOne({ _id: sid }, update, this.writeOptions(deadline));
  }

  protected async deleteRecord(sid: string): Promise<void> {
    const deadline = this.deadline();
    const collection = await this.collection();
    await collection.deleteOne({ _id: sid }, this.writeOptions(deadline));
  }

  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    const collection = await this.collection();
    for await (const page of this.livePages(RECORD_PROJECTION)) {
      const records = await Promise.all(
        page.map(async (document) => {
          const record = await this.recordOf(collection, String(document._id), document);
          return record && { sid: String(document._id), ...record };
        }),
      );
      yield records.filter((record) => record !== null);
    }
  }

  protected override async *listIds(): AsyncIterable<string[]> {
    for await (const page of this.livePages({ _id: 1 })) yield page.map((document) => String(document._id));
  }

  protected override async countRecords(): Promise<number> {
    const deadline = this.deadline();
    const collection = await this.collection();
    return collection.countDocuments({ expires: { $gt: new Date() } }, this.timeLimit(deadline));
  }

  protected override async listUserRecords(userId: string): Promise<StoredEntry[]> {
    const deadline = this.deadline();
    const collection = await this.collection();
    const documents = await collection
      .find(liveOfUser(userId, new Date()), {
        projection: RECORD_PROJECTION,
        sort: { _id: 1 },
        ...READ_OPTIONS,
        ...this.timeLimit(deadline),
      })
      .toArray();
    return documents.map((document) => ({ sid: String(document._id), ...toRecord(document) }));
  }

  protected override async countUserRecords(userId: string): Promise<number> {
    const deadline = this.deadline();
    const collection = await this.collection();
    return collection.countDocuments(liveOfUser(userId, new Date()), this.timeLimit(deadline));
  }

  protected override async deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    const deadline = this.deadline();
    const collection = await this.collection();
    const filter = liveOfUser(userId, new Date());
    if (exceptSid !== null) filter._id = { $ne: exceptSid };
    const { deletedCount } = await collection.deleteMany(filter, this.writeOptions(deadline));
    return deletedCount;
  }

  protected override async deleteAllRecords(): Promise<void> {
    const deadline = this.deadline();
    const collection = await this.collection();
    await collection.deleteMany({}, this.writeOptions(deadline));
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    return inspectMongoRecord(await this.collection(), sid, READ_OPTIONS);
  }

  protected override async closeBackend(): Promise<void> {
    this.backendClosed = true;
    this.watch?.stop();
    this.watch = null;
    this.watchdog?.stop();
    this.watchdog = null;
    if (this.owned) {
      await withDeadline(this.owned.close(), this.operationTimeoutMs, () =>
        storeError(
          STORE_NAME,
          'close',
          StoreErrorCode.timeout,
          `the client did not close within ${this.operationTimeoutMs} ms`,
        ),
      );
    }
  }

  // Internals --------------------------------------------------------------------------------

  /**
   * connect-mongo's `writeOperationOptions`, for the writes it applies them to, and with a
   * deadline, the server-side time limit of a call's write (see {@link timeLimit}). The
   * rewrite of a session connect-mongo encrypted has none: it is no write a caller waits for.
   */
  private writeOptions(deadline?: number): { writeConcern?: WriteConcernSettings; maxTimeMS?: number } {
    const limits = deadline === undefined ? {} : this.timeLimit(deadline);
    return this.settings.writeConcern ? { writeConcern: this.settings.writeConcern, ...limits } : limits;
  }

  /**
   * When the core's deadline for the call now starting ends, on performance.now()'s clock. A hook
   * takes it before its first await: the core starts its timer after that, so this is never later.
   */
  private deadline(): number {
    return performance.now() + this.operationTimeoutMs;
  }

  /**
   * The server-side limit of a command of a call ending at `deadline`: `maxTimeMS`, so that the
   * server gives up (MaxTimeMSExpired: nothing written) at least a margin before the store tells
   * the caller it timed out, and a write the caller was told failed never lands later (a
   * timed-out set must not bring back a session that a later destroy removed). When nothing is
   * left, the command is not sent. FerretDB ignores maxTimeMS on writes (README, "Errors").
   */
  private timeLimit(deadline: number): { maxTimeMS: number } {
    const maxTimeMS = Math.floor(deadline - performance.now() - this.landingMarginMs);
    if (maxTimeMS <= 0) {
      throw storeError(
        STORE_NAME,
        'call',
        StoreErrorCode.timeout,
        'no time was left to send the command; it was not sent',
      );
    }
    return { maxTimeMS };
  }

  /** An update of an existing session: `updatedAt` moves too with `timestamps`, as connect-mongo does. */
  private updateOf(fields: Partial<SessionDocument>): UpdateFilter<SessionDocument> {
    return this.settings.timestamps ? { $set: fields, $currentDate: { updatedAt: true } } : { $set: fields };
  }

  /** The `session` field for a payload, in the layout of `stringify`. */
  private storedValue(payload: string): unknown {
    return this.settings.stringify ? payload : toBson(JSON.parse(payload));
  }

  /**
   * The record of a document. A session connect-mongo encrypted (`crypto`/`cryptoAdapter`) is
   * decrypted, encrypted again in this store's format, and written back unless it changed
   * meanwhile, so that it is read the old way once only. One that cannot be decrypted (another
   * secret, tampered) is a miss reported through `decodeError`, like any unreadable session.
   */
  private async recordOf(
    collection: Collection<SessionDocument>,
    sid: string,
    document: Pick<SessionDocument, 'session' | 'expires'>,
  ): Promise<StoredRecord | null> {
    const stored = document.session;
    if (!this.legacy || typeof stored !== 'string' || !this.legacy.recognises(stored)) return toRecord(document);
    let payload: string;
    try {
      const session = JSON.parse(await this.legacy.decrypt(stored)) as SessionData;
      const expiresAt = toRecord(document).expiresAt ?? resolveExpiresAt(session, sid, Date.now(), this.ttl);
      payload = this.encode('get', sid, session, expiresAt);
    } catch (error) {
      const event = {
        sid,
        error: new Error(`the session connect-mongo encrypted cannot be read: ${describeCause(error)}`, {
          cause: error,
        }),
      };
      this.emitSafely('decodeError', event);
      return null;
    }
    // Compare-and-set on the ciphertext read: a set() that got in between keeps its data. A failed
    // rewrite loses nothing (the old ciphertext stays readable), so the read goes on regardless.
    await collection
      .updateOne({ _id: sid, session: stored }, { $set: { session: this.storedValue(payload) } }, this.writeOptions())
      .catch(noop);
    return { payload, expiresAt: toRecord(document).expiresAt };
  }

  /** Whether the server is FerretDB (asked once, with buildInfo; asked again after a failure). */
  private isFerretDb(): Promise<boolean> {
    if (!this.serverIsFerretDb) {
      const asking = this.collection()
        .then((collection) => collection.db.command({ buildInfo: 1 }))
        .then((info) => typeof info.ferretdbVersion === 'string');
      asking.catch(() => {
        if (this.serverIsFerretDb === asking) this.serverIsFerretDb = null;
      });
      this.serverIsFerretDb = asking;
    }
    return this.serverIsFerretDb;
  }

  /** The sessions collection, once its client can take calls. */
  private async collection(): Promise<Collection<SessionDocument>> {
    await this.owned?.ready();
    return this.collectionReady;
  }

  /**
   * Live documents in pages ordered by _id, through one cursor whose batches are the pages
   * (`pageSize` documents, each fetch a step the core bounds). One query walks the collection
   * once: a query per page ("_id after the last one") is answered from the _id index by
   * MongoDB, but FerretDB scans the whole collection for each, which made all() over 10,000
   * sessions take 30 s there. The server drops a cursor left idle for its cursorTimeoutMillis
   * (10 minutes by default), which bounds what an abandoned iterate() holds; an iterate() held
   * that long goes on with a new query after the last _id it handed out.
   */
  private async *livePages(projection: Record<string, 1>): AsyncGenerator<SessionDocument[]> {
    const collection = await this.collection();
    const pageSize = this.settings.pageSize;
    let after: string | undefined;
    for (;;) {
      const live = { expires: { $gt: new Date() } };
      const filter = after === undefined ? live : { _id: { $gt: after }, ...live };
      const cursor = collection.find(filter, { projection, sort: { _id: 1 }, batchSize: pageSize, ...READ_OPTIONS });
      try {
        for (;;) {
          let more: boolean;
          try {
            more = await cursor.hasNext();
          } catch (error) {
            if (isCursorNotFound(error) && after !== undefined) break;
            throw error;
          }
          if (!more) return;
          const page = cursor.readBufferedDocuments();
          if (page.length === 0) continue;
          after = String(page[page.length - 1]!._id);
          yield page;
        }
      } finally {
        await cursor.close().catch(() => undefined);
      }
    }
  }

  /**
   * Deletes expired documents in batches of `pruneBatchSize`, each batch a bounded query; the
   * core's prune() and its timer (`autoRemove: "interval"`) run it.
   */
  protected override async pruneExpired(): Promise<number> {
    const collection = await this.bounded(this.collection(), 'prune');
    const batchSize = this.settings.pruneBatchSize;
    let deleted = 0;
    for (;;) {
      const now = new Date();
      const expired = await this.bounded(
        collection.find({ expires: { $lte: now } }, { projection: { _id: 1 }, limit: batchSize }).toArray(),
        'prune',
      );
      if (expired.length === 0) return deleted;
      // The expiry condition again: a session saved again since the find stays.
      const result = await this.bounded(
        collection.deleteMany({ _id: { $in: expired.map((document) => document._id) }, expires: { $lte: now } }),
        'prune',
      );
      deleted += result.deletedCount;
      if (expired.length < batchSize) return deleted;
    }
  }

  private start(client: MongoClient): void {
    if (this.backendClosed) return;
    // The watch runs inside the driver's own event emission (SDAM): a listener of ours that threw
    // there would break the driver's monitoring, or end the process.
    this.watch = new ConnectionWatch(client, {
      up: () => {
        this.reportConnected();
        // A TTL index that could not be created while the server was away is tried again.
        this.createTtlIndex();
      },
      down: () => this.reportDisconnected(),
    });
    this.watchdog = new HeartbeatWatchdog(client, (address, elapsedMs) => this.onStuckMonitor(address, elapsedMs));
    this.owned?.ready().catch(noop);
    if (this.autoRemoveMode === 'interval') this.startPruneTimer(this.settings.autoRemoveIntervalMs, 0);
    if (this.autoRemoveMode === 'pending') this.createTtlIndex();
  }

  /** The driver's monitor hangs (see HeartbeatWatchdog): the store's own client is reconnected; a given one is reported. */
  private onStuckMonitor(address: string, elapsedMs: number): void {
    if (this.owned) {
      this.owned.reconnect();
      return;
    }
    this.warn(
      new MongoStoreWarning(
        MongoStoreWarningCode.monitorStuck,
        `${STORE_NAME}: the driver has been checking ${address} for ${elapsedMs} ms without an answer or an error; its monitor is stuck, and calls will fail ` +
          'until the client is closed and connected again (see the README, "Clients you make"). A store made with mongoUrl does this itself.',
      ),
    );
  }

  /**
   * Creates the index on `userId` once, in the background: a set never waits for it nor fails
   * because of it. A failure is a warning, and the next set tries again.
   */
  private createUserIndex(): void {
    if (this.userIndexState !== 'missing' || this.backendClosed) return;
    this.userIndexState = 'creating';
    this.collection()
      .then((collection) => collection.createIndex(USER_INDEX.key, { name: USER_INDEX.name }))
      .then(
        () => {
          this.userIndexState = 'created';
        },
        (error: unknown) => {
          this.userIndexState = 'missing';
          this.warn(
            new MongoStoreWarning(
              MongoStoreWarningCode.userIndexFailed,
              `${STORE_NAME}: the index on "${USER_FIELD}" could not be created (${describeCause(error)}); sessions by user are still answered, by scanning the collection. The next set tries again.`,
              error,
            ),
          );
        },
      );
  }

  private createTtlIndex(): void {
    if (this.autoRemoveMode !== 'pending' || this.indexing || this.backendClosed) return;
    this.indexing = true;
    this.collection()
      .then((collection) => collection.createIndex(TTL_INDEX.key, { name: TTL_INDEX.name, expireAfterSeconds: 0 }))
      .then(
        () => {
          if (this.autoRemoveMode === 'pending') this.autoRemoveMode = 'native';
        },
        (error: unknown) => {
          // An unreachable server is retried on the next `up`; a refusal is final.
          if (isServerRefusal(error)) this.fallBackToInterval(error);
        },
      )
      .finally(() => {
        this.indexing = false;
      });
  }

  /**
   * The server refused the TTL index (FerretDB does not implement TTL indexes; a MongoDB may
   * hold an `expires_1` index with other options). Expired sessions are never returned
   * anyway, so the store keeps working, and deletes them from its own timer instead.
   */
  private fallBackToInterval(cause: unknown): void {
    if (this.backendClosed) return;
    this.autoRemoveMode = 'interval';
    this.startPruneTimer(this.settings.autoRemoveIntervalMs, 0);
    const minutes = this.settings.autoRemoveIntervalMs / 60_000;
    this.warn(
      new MongoStoreWarning(
        MongoStoreWarningCode.ttlIndexRefused,
        `${STORE_NAME}: the server refused the TTL index on "expires" (${describeCause(cause)}), so expired sessions are deleted by this process every ${minutes} minutes instead ` +
          '(autoRemove: "interval"). Set autoRemove: "interval" yourself to make that explicit and silence this warning.',
        cause,
      ),
    );
  }
}

function isLive(expires: unknown, now: number): boolean {
  return expires instanceof Date && expires.getTime() > now;
}

function toRecord(document: Pick<SessionDocument, 'session' | 'expires'>): StoredRecord {
  const { session, expires } = document;
  return {
    // A string is JSON (stringify: true); anything else is the sub-document layout, read back
    // whichever way this store writes, so a collection can hold both during a migration.
    payload: typeof session === 'string' ? session : (fromBson(session) as Record<string, unknown>),
    expiresAt: expires instanceof Date ? expires.getTime() : null,
  };
}

/** The server dropped the cursor (its idle timeout, or a killCursors): error code 43. */
function isCursorNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 43;
}
