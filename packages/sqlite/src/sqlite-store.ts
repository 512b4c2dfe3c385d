import {
  type DecodeErrorEvent,
  keysetPages,
  type RecordInspection,
  SessionStoreBase,
  type StoredEntry,
  type StoredRecord,
} from '@session-stores/core';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { inspectSqliteRecord } from './inspect-record';
import { LATEST_EXPIRY_MS, type Layout, LAYOUTS, type LayoutName } from './layout';
import { resolveOptions, type ResolvedSqliteOptions, type SqliteStoreOptions, STORE_NAME } from './options';
import { buildSql, type StoreSql } from './sql';
import { ensureUserColumn, hasUserColumn, prepareUserStatements, type UserStatements } from './user-index';

type Statements = { [K in Exclude<keyof StoreSql, 'createTable' | 'createIndex'>]: Statement };

interface Row {
  sid: unknown;
  sess: unknown;
  expiry: unknown;
}

/**
 * An express-session store on SQLite through better-sqlite3, reading and writing the table
 * better-sqlite3-session-store uses (or connect-sqlite3's, with `layout`), so an app can switch
 * to it without logging anyone out.
 *
 * better-sqlite3 is synchronous: every statement runs to completion inside the call, and the
 * base class delivers callbacks on a later tick. Statements are prepared once per store, on
 * first use, so a table created after the store (`createTable: false`) is picked up.
 */
export class SqliteStore extends SessionStoreBase {
  /** The database the store reads and writes (its own when it was given `filename`). */
  readonly db: SqliteDatabase;
  /** The session table. */
  readonly table: string;
  private readonly settings: ResolvedSqliteOptions;
  private readonly format: Layout;
  private readonly sql: StoreSql;
  private readonly ownsClient: boolean;
  private statements: Statements | null = null;
  /**
   * The statements of the user column, when the table has one: with the `userId` option they
   * keep the index; without it, set still writes the column (to null) so that no session stays
   * listed under a user it no longer has when instances with and without the option share a table.
   */
  private userStatements: UserStatements | null = null;
  private backendClosed = false;

  constructor(options: SqliteStoreOptions) {
    const settings = resolveOptions(options);
    // One day's default TTL, millisecond expiry, no size limit, persistent: the core's defaults.
    super({ storeName: STORE_NAME }, options);
    this.settings = settings;
    this.table = settings.table;
    this.format = LAYOUTS[settings.layout];
    this.sql = buildSql(settings.table, this.format);
    const source = settings.source;
    this.ownsClient = source.kind !== 'client';
    this.db = source.kind === 'client' ? source.db : openDatabase(source.filename, settings.busyTimeoutMs);

    try {
      this.prepared();
    } catch {
      // A locked or read-only file, or a missing table with createTable off: the same error
      // comes back through the callback of the first call, which tries again.
    }

    if (settings.pruneIntervalMs !== false) this.startPruneTimer(settings.pruneIntervalMs);
  }

  /**
   * The table layout (the `layout` option). A method giving a promise, as on PostgresStore, whose
   * layout is found out from the table: the same member on every store that reads another
   * package's layout.
   */
  layout(): Promise<LayoutName> {
    return Promise.resolve(this.settings.layout);
  }

  // Backend primitives ---------------------------------------------------------------------

  /**
   * SQLite stores text as UTF-8, where a lone surrogate becomes U+FFFD: two different sids
   * would share one row. Refusing is better than that.
   */
  protected override unstorableSid(sid: string): string | null {
    return LONE_SURROGATE.test(sid) ? 'sid is not well-formed Unicode (it contains a lone surrogate)' : null;
  }

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    const row = this.prepared().get.get(sid, this.encodeExpiry(Date.now())) as Row | undefined;
    return row ? this.toRecord(sid, row) : null;
  }

  protected async writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session: SessionData,
    userId: string | null,
  ): Promise<void> {
    const statements = this.prepared();
    if (this.userStatements) this.userStatements.upsert.run(sid, payload, this.encodeExpiry(expiresAt), userId);
    else statements.upsert.run(sid, payload, this.encodeExpiry(expiresAt));
  }

  /**
   * Moves the expiry and replaces the stored cookie with the touched one (clause 20 lets touch
   * change the cookie, and only it): an app that changes `req.session.cookie.maxAge` without
   * touching the data gets a touch, not a set, and must find its new cookie on the next request.
   * Plain JSON is patched in SQL with json_set; encrypted or custom-serialized sessions are
   * decoded, patched and re-encoded inside one immediate transaction.
   */
  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    const statements = this.prepared();
    const expiry = this.encodeExpiry(expiresAt);
    const now = this.encodeExpiry(Date.now());
    const cookieJson = this.touchedCookieJson('touch', session);
    // Encrypted: the expiry is sealed with the data, so the record is rewritten even without a cookie.
    if (cookieJson === null && !this.encrypts) {
      statements.touch.run(expiry, sid, now);
    } else if (this.settings.plainJson) {
      statements.touchWithCookie.run(expiry, cookieJson, sid, now);
    } else {
      this.db
        .transaction(() => {
          const row = statements.get.get(sid, now) as Row | undefined;
          if (!row) return;
          const rewritten = this.rewriteCookie('touch', sid, payloadText(row.sess), session, expiresAt);
          if (rewritten === null) statements.touch.run(expiry, sid, now);
          else statements.rewrite.run(rewritten, expiry, sid);
        })
        .immediate();
    }
  }

  protected async deleteRecord(sid: string): Promise<void> {
    this.prepared().destroy.run(sid);
  }

  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    const { firstPage, nextPage } = this.prepared();
    for await (const rows of this.pages<Row>(firstPage, nextPage, (row) => String(row.sid))) {
      const entries: StoredEntry[] = [];
      for (const row of rows) {
        const sid = String(row.sid);
        const record = this.toRecord(sid, row);
        if (record) entries.push({ sid, ...record });
      }
      if (entries.length > 0) yield entries;
    }
  }

  protected override async *listIds(): AsyncIterable<string[]> {
    const { firstIdPage, nextIdPage } = this.prepared();
    for await (const sids of this.pages<unknown>(firstIdPage, nextIdPage, String)) yield sids.map(String);
  }

  protected override async countRecords(): Promise<number> {
    return this.prepared().count.get(this.encodeExpiry(Date.now())) as number;
  }

  protected override async deleteAllRecords(): Promise<void> {
    this.prepared().clear.run();
  }

  protected override async listUserRecords(userId: string): Promise<StoredEntry[]> {
    const rows = this.userIndex().list.all(userId, this.encodeExpiry(Date.now())) as Row[];
    return rows.flatMap((row) => {
      const sid = String(row.sid);
      const record = this.toRecord(sid, row);
      return record ? [{ sid, ...record }] : [];
    });
  }

  protected override async countUserRecords(userId: string): Promise<number> {
    return this.userIndex().count.get(userId, this.encodeExpiry(Date.now())) as number;
  }

  protected override async deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    return this.userIndex().destroy.run(userId, exceptSid, this.encodeExpiry(Date.now())).changes;
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    return inspectSqliteRecord(this.db, this.table, this.format, sid);
  }

  protected override async closeBackend(): Promise<void> {
    this.backendClosed = true;
    if (this.ownsClient && this.db.open) this.db.close();
  }

  // Internals ------------------------------------------------------------------------------

  /** Live rows in pages of `pageSize`, ordered by sid: `first` starts, `next` resumes after a sid. */
  private pages<R>(first: Statement, next: Statement, sidOf: (row: R) => string): AsyncGenerator<R[]> {
    return keysetPages(
      this.settings.pageSize,
      (after: string | undefined, limit) => {
        const now = this.encodeExpiry(Date.now());
        return (after === undefined ? first.all(now, limit) : next.all(after, now, limit)) as R[];
      },
      sidOf,
    );
  }

  /** The prepared statements, preparing them (and the table) the first time they are needed. */
  private prepared(): Statements {
    if (this.statements) return this.statements;
    if (this.ownsClient) {
      // WAL lets readers and the writer proceed together and, with synchronous = NORMAL, a
      // commit no longer waits for an fsync: writes run tens of times faster (see README).
      this.db.pragma('journal_mode = WAL');
    }
    if (this.settings.createTable) {
      this.db.exec(this.sql.createTable);
      this.db.exec(this.sql.createIndex);
    }
    const prepare = (source: string, pluck = false): Statement => {
      // The owner of a shared database may have turned on safeIntegers; numbers are all this
      // store reads (epoch ms, counts), and they fit in a double.
      const statement = this.db.prepare(source).safeIntegers(false);
      return pluck ? statement.pluck() : statement;
    };
    const { sql } = this;
    const statements: Statements = {
      get: prepare(sql.get),
      upsert: prepare(sql.upsert),
      touch: prepare(sql.touch),
      touchWithCookie: prepare(sql.touchWithCookie),
      rewrite: prepare(sql.rewrite),
      destroy: prepare(sql.destroy),
      firstPage: prepare(sql.firstPage),
      nextPage: prepare(sql.nextPage),
      firstIdPage: prepare(sql.firstIdPage, true),
      nextIdPage: prepare(sql.nextIdPage, true),
      count: prepare(sql.count, true),
      clear: prepare(sql.clear),
      pruneBatch: prepare(sql.pruneBatch),
    };
    // Before the statements are kept: a failure here comes back on every call until it succeeds,
    // never a store that writes sessions without their user.
    if (this.indexesUsers) ensureUserColumn(this.db, this.table, this.settings.createTable);
    if (this.indexesUsers || hasUserColumn(this.db, this.table))
      this.userStatements = prepareUserStatements(this.table, this.format, prepare);
    this.statements = statements;
    return statements;
  }

  /** The user statements; only the by-user hooks call it, which the core calls only with the `userId` option. */
  private userIndex(): UserStatements {
    this.prepared();
    return this.userStatements!;
  }

  private encodeExpiry(epochMs: number): string | number {
    return this.format.encodeExpiry(clampExpiry(epochMs));
  }

  private toRecord(sid: string, row: Row): StoredRecord | null {
    const expiresAt = this.format.decodeExpiry(row.expiry);
    if (expiresAt === null) {
      const event: DecodeErrorEvent = {
        sid,
        error: new Error(`the stored expiry is not a date this layout can read: ${JSON.stringify(String(row.expiry))}`),
      };
      // A throwing listener must not fail the read it reports on (the core reports what a listener throws).
      this.emitSafely('decodeError', event);
      return null;
    }
    return { payload: payloadText(row.sess), expiresAt };
  }

  /**
   * Deletes expired rows in batches of `pruneBatchSize`, yielding to the event loop between
   * batches; the core's prune() and its timer run it.
   */
  protected override async pruneExpired(): Promise<number> {
    const statements = this.prepared();
    const batch = this.settings.pruneBatchSize;
    let deleted = 0;
    for (;;) {
      const { changes } = statements.pruneBatch.run(this.encodeExpiry(Date.now()), batch);
      deleted += changes;
      if (changes < batch) return deleted;
      // Let requests in between batches: each batch is a short write, never one long lock.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Closed meanwhile: stop quietly with what was done; the database may be gone.
      if (this.backendClosed) return deleted;
    }
  }
}

function openDatabase(filename: string, busyTimeoutMs: number): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(filename, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new Error(
      `${STORE_NAME}: cannot open the database file ${JSON.stringify(filename)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // Per connection, and safe with WAL: a crash can lose the last commits, never corrupt the file.
  db.pragma('synchronous = NORMAL');
  return db;
}

// With the u flag, a surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function clampExpiry(epochMs: number): number {
  return Math.min(epochMs, LATEST_EXPIRY_MS);
}

/** The stored session as text, whatever SQLite handed back (a BLOB, or a number from the JSON column's NUMERIC affinity). */
function payloadText(sess: unknown): string {
  if (typeof sess === 'string') return sess;
  if (Buffer.isBuffer(sess)) return sess.toString('utf8');
  if (sess === null || sess === undefined) return '';
  return String(sess);
}
