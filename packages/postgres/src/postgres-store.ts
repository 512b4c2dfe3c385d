import {
  cookieSignature,
  jsonSerializer,
  KnownCookies,
  storedCookieSignature,
  touchedCookieSignature,
  keysetPages,
  type RecordInspection,
  SessionStoreBase,
  SessionStoreWarningCode,
  type SessionStoreWarning,
  storeError,
  StoreErrorCode,
  type StoredEntry,
  type StoredRecord,
  toStoreError,
  withDeadline,
} from '@session-stores/core';
import type { SessionData } from 'express-session';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { ConnectionWatch } from './connection-watch';
import { type PostgresStoreOptions, resolveOptions, STORE_NAME } from './options';
import { inspectPostgresRecord } from './inspect-record';
import { createOwnClient, landingMarginMs } from './own-client';
import { fromSessColumn, toSessColumn } from './sess-column';
import {
  buildStatements,
  qualifiedTableName,
  releasePruneLock,
  type Statement,
  type Statements,
  tryPruneLock,
} from './sql';
import { addUserColumnStatements, buildUserStatements, hasUserColumn, type UserStatements } from './user-index';
import { type ColumnRow, createTableStatements, describeTable, layoutFromColumns, type TableLayout } from './layout';

/** How often a store that reported `disconnect` checks whether the database is back. */
const RECONNECT_PROBE_MS = 1000;

interface RecordRow {
  payload: string;
  expires_at: number;
}

/**
 * An express-session store on PostgreSQL (pg), a drop-in for connect-pg-simple: it reads and
 * writes connect-pg-simple's table as it is, and creates tables with a millisecond, time-zone
 * safe `expire timestamptz(3)` column. See the README for options, layouts and the clock.
 */
export class PostgresStore extends SessionStoreBase {
  /** The schema-qualified, quoted table name the store uses, e.g. `"public"."session"`. */
  readonly table: string;
  private readonly pool: Pool;
  private readonly ownsClient: boolean;
  private readonly createTableIfMissing: boolean;
  private readonly pruneBatchSize: number;
  private readonly pageSize: number;
  private readonly payloadIsJson: boolean;
  private readonly encrypted: boolean;
  /**
   * The stored cookies this process last saw, for touch's one-column UPDATE (see KnownCookies);
   * null where touch must rewrite the stored cookie anyway (encryption, a `ttl` function whose
   * expiry is not the cookie's, a serializer whose text SQL cannot read).
   */
  private readonly knownCookies: KnownCookies | null;
  private readonly watch: ConnectionWatch;
  private prepared: Promise<Prepared> | null = null;
  private closing = false;
  /**
   * The `statement_timeout` of the pool's connections in ms, or null when they have none the
   * store can know of (a pool passed in without it): see {@link write}.
   */
  private readonly statementLimitMs: number | null;
  private readonly landingMarginMs: number;

  constructor(options: PostgresStoreOptions) {
    const resolved = resolveOptions(options);
    // One day's default TTL, millisecond expiry, no size limit, persistent: the core's defaults.
    super({ storeName: STORE_NAME }, options);
    this.table = qualifiedTableName(resolved.schemaName, resolved.tableName);
    this.createTableIfMissing = resolved.createTableIfMissing;
    this.pruneBatchSize = resolved.pruneBatchSize;
    this.pageSize = resolved.pageSize;
    // The default serializer always yields JSON (and the encryption envelope is a JSON object):
    // no need to check each payload before it goes into the json column.
    this.payloadIsJson = this.serializer === jsonSerializer;
    this.encrypted = options.encryption !== undefined;
    this.knownCookies =
      this.payloadIsJson && !this.encrypted && typeof this.ttl !== 'function' ? new KnownCookies() : null;

    const source = resolved.source;
    this.ownsClient = source.kind !== 'client';
    this.pool = source.kind === 'client' ? source.pool : createOwnClient(source.config, this.operationTimeoutMs);
    const limit = (this.pool as { options?: { statement_timeout?: unknown } }).options?.statement_timeout;
    this.statementLimitMs = typeof limit === 'number' && limit > 0 ? limit : null;
    this.landingMarginMs = landingMarginMs(this.operationTimeoutMs);

    this.watch = new ConnectionWatch(
      () =>
        withDeadline(
          this.pool.query('SELECT 1'),
          this.operationTimeoutMs,
          () => new Error('no answer to the connection probe'),
        ),
      () => this.reportConnected(),
      () => this.reportDisconnected(),
      RECONNECT_PROBE_MS,
    );
    // A pool we made must have an error listener (pg emits `error` when an idle connection
    // dies; unheard, that would crash the app). A pool we were given is the app's to handle.
    const errorLog = resolved.errorLog;
    if (this.ownsClient) {
      this.pool.on('error', (error) => {
        this.watch.failed(error);
        // connect-pg-simple told errorLog of its own pool's errors too; ours never throws into pg.
        this.callHookSafely('errorLog', errorLog, 'PG Pool error:', error);
      });
      // And every connection of it keeps a listener for its whole life. pg-pool listens only
      // while a connection is idle and during pool.query; a connection that dies while checked
      // out and between two messages (the soak's pg_terminate_backend of every connection under
      // load, bench/soak) emitted `error` on a Client nobody heard, and the app exited. The
      // failure still reaches the call through its query; this only keeps the process alive.
      this.pool.on('connect', (client) => {
        client.on('error', (error) => this.watch.failed(error));
      });
    }
    if (errorLog) {
      // connect-pg-simple's errorLog hears of failed background prunes too, beside the `warning` event.
      this.on('warning', (warning: SessionStoreWarning) => {
        if (warning.code === SessionStoreWarningCode.pruneFailed)
          this.callHookSafely('errorLog', errorLog, `${STORE_NAME}: failed to prune expired sessions:`, warning.cause);
      });
    }
    // ±50% jitter unless pruneSessionRandomizedInterval is false, as connect-pg-simple:
    // instances scaled out together spread their prunes.
    if (resolved.pruneIntervalMs !== false) this.startPruneTimer(resolved.pruneIntervalMs, resolved.pruneJitter);
  }

  /**
   * connect-pg-simple's name for {@link prune}, with its shape: the callback gets only the error,
   * and without a callback a failure is emitted as a `warning` (and told to `errorLog`), never thrown.
   */
  pruneSessions(callback?: (error: Error | null) => void): void {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TypeError(
        `${STORE_NAME}: pruneSessions(callback): callback must be a function, got ${typeof callback}`,
      );
    }
    this.prune((error: unknown) => {
      const failure = error == null ? null : error instanceof Error ? error : new Error(String(error));
      if (callback) callback(failure);
      else if (failure)
        this.warn(SessionStoreWarningCode.pruneFailed, `pruneSessions() failed: ${failure.message}`, failure);
    });
  }

  /** The layout of the table, found out on first use: `connect-pg-simple` or `timestamptz`. */
  async layout(): Promise<TableLayout['name']> {
    try {
      return (await this.bounded(this.prepare(), 'layout')).layout.name;
    } catch (error) {
      throw toStoreError(STORE_NAME, 'layout', error);
    }
  }

  // Backend primitives ---------------------------------------------------------------------

  /**
   * PostgreSQL text has no NUL character, and pg sends text as UTF-8, where a lone surrogate
   * becomes U+FFFD: two different sids would share one row.
   */
  protected override unstorableSid(sid: string): string | null {
    return UNSTORABLE.test(sid)
      ? 'sid cannot be stored in PostgreSQL text (it contains a NUL character or a lone surrogate)'
      : null;
  }

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    const { statements } = await this.prepare();
    const { rows } = await this.query<RecordRow>(statements.get, [sid, Date.now()]);
    const row = rows[0];
    if (!row) return null;
    const payload = fromSessColumn(row.payload);
    this.knownCookies?.remember(sid, storedCookieSignature(payload));
    return { payload, expiresAt: row.expires_at };
  }

  protected async writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session: SessionData,
    userId: string | null,
  ): Promise<void> {
    const deadline = this.deadline();
    const { statements, userStatements } = await this.prepare();
    const sess = toSessColumn(payload, this.payloadIsJson);
    if (userStatements) await this.write(deadline, userStatements.upsert, [sid, sess, expiresAt, userId]);
    else await this.write(deadline, statements.upsert, [sid, sess, expiresAt]);
    this.knownCookies?.remember(sid, storedCookieSignature(payload));
  }

  /**
   * Moves the expiry and keeps the stored cookie true (clause 19): express-session sends the
   * cookie with the touch, and a cookie whose maxAge changed without any data changing (a
   * "remember me" that only sets cookie.maxAge) is only ever saved through touch. Were only
   * the expiry moved, the next request would reset the cookie to the stale originalMaxAge.
   * Plain JSON sessions in a json column: one statement that splices the cookie in SQL.
   * Otherwise (encrypted, custom serializer, jsonb, a cookie SQL cannot find): a read and a
   * compare-and-set write of the session with its cookie replaced, data never taken from `session`.
   */
  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    const deadline = this.deadline();
    const { layout, statements } = await this.prepare();
    // Only the date moves (express-session's touch on every request), and `get` answers the
    // date from `expire`: one UPDATE of `expire`, as connect-pg-simple's touch, keeps the stored
    // cookie true without reading or rewriting `sess`.
    let signature = this.knownCookies ? touchedCookieSignature(session.cookie) : null;
    if (signature !== null && this.knownCookies!.matches(sid, signature)) {
      await this.write(deadline, statements.touch, [sid, expiresAt, Date.now()]);
      return;
    }
    const cookie = this.touchedCookieJson('touch', session);
    signature ??= cookie === null ? null : cookieSignature(cookie);
    if (layout.sessType === 'json' && this.payloadIsJson && !this.encrypted) {
      const { rows } = await this.write<{ cookie_found: boolean }>(deadline, statements.touchWithCookie, [
        sid,
        expiresAt,
        Date.now(),
        cookie,
      ]);
      // Found: the stored cookie is now the touched one (spliced, or equal but for the date).
      if (rows[0]?.cookie_found) this.knownCookies?.remember(sid, signature);
      if (rows.length === 0 || rows[0]!.cookie_found || cookie === null) return;
    } else if (cookie === null && !this.encrypted) {
      // (Encrypted: the expiry is sealed with the data, so the record is rewritten even without a cookie.)
      await this.write(deadline, statements.touch, [sid, expiresAt, Date.now()]);
      return;
    }
    await this.replaceCookie(deadline, statements, sid, expiresAt, session);
  }

  private async replaceCookie(
    deadline: number,
    statements: Statements,
    sid: string,
    expiresAt: number,
    session: SessionData,
  ): Promise<void> {
    const { rows } = await this.query<{ sess: string }>(statements.readStored, [sid, Date.now()]);
    const stored = rows[0]?.sess;
    if (stored === undefined) return;
    const rewritten = this.rewriteCookie('touch', sid, fromSessColumn(stored), session, expiresAt);
    if (rewritten === null) {
      // Unreadable (reported as decodeError): move the expiry, leave the data to get() to judge.
      await this.write(deadline, statements.touch, [sid, expiresAt, Date.now()]);
      return;
    }
    // No row changed: a set() got in between, and it carries a fresh cookie and expiry of its own.
    await this.write(deadline, statements.replaceStored, [
      sid,
      toSessColumn(rewritten, this.payloadIsJson),
      expiresAt,
      stored,
      Date.now(),
    ]);
  }

  protected async deleteRecord(sid: string): Promise<void> {
    const deadline = this.deadline();
    const { statements } = await this.prepare();
    this.knownCookies?.forget(sid);
    await this.write(deadline, statements.destroy, [sid]);
  }

  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    const { statements } = await this.prepare();
    const pages = this.pages<RecordRow & { sid: string }>(statements.firstPage, statements.nextPage);
    for await (const rows of pages)
      yield rows.map((row) => ({ sid: row.sid, payload: fromSessColumn(row.payload), expiresAt: row.expires_at }));
  }

  protected override async *listIds(): AsyncIterable<string[]> {
    const { statements } = await this.prepare();
    const pages = this.pages<{ sid: string }>(statements.firstIdPage, statements.nextIdPage);
    for await (const rows of pages) yield rows.map((row) => row.sid);
  }

  protected override async countRecords(): Promise<number> {
    const { statements } = await this.prepare();
    const { rows } = await this.query<{ count: number }>(statements.count, [Date.now()]);
    return rows[0]?.count ?? 0;
  }

  protected override async deleteAllRecords(): Promise<void> {
    const deadline = this.deadline();
    const { statements } = await this.prepare();
    await this.write(deadline, statements.clear, []);
  }

  protected override async listUserRecords(userId: string): Promise<StoredEntry[]> {
    const { rows } = await this.query<RecordRow & { sid: string }>((await this.userIndex()).list, [userId, Date.now()]);
    return rows.map((row) => ({ sid: row.sid, payload: fromSessColumn(row.payload), expiresAt: row.expires_at }));
  }

  protected override async countUserRecords(userId: string): Promise<number> {
    const { rows } = await this.query<{ count: number }>((await this.userIndex()).count, [userId, Date.now()]);
    return rows[0]?.count ?? 0;
  }

  protected override async deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    const deadline = this.deadline();
    const statement = (await this.userIndex()).destroy;
    const { rowCount } = await this.write(deadline, statement, [userId, exceptSid, Date.now()]);
    return rowCount ?? 0;
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    const { layout } = await this.prepare();
    return inspectPostgresRecord((text, values) => this.query(text, values), this.table, layout, sid);
  }

  protected override async closeBackend(): Promise<void> {
    this.closing = true;
    this.knownCookies?.clear();
    this.watch.stop();
    if (this.ownsClient) await this.pool.end();
  }

  // Internals ------------------------------------------------------------------------------

  /** Live rows in pages of `pageSize`, ordered by sid: `first` starts, `next` resumes after a sid. */
  private pages<R extends QueryResultRow & { sid: string }>(first: Statement, next: Statement): AsyncGenerator<R[]> {
    return keysetPages(
      this.pageSize,
      async (after: string | undefined, limit) => {
        const values: unknown[] = after === undefined ? [Date.now(), limit] : [Date.now(), limit, after];
        return (await this.query<R>(after === undefined ? first : next, values)).rows;
      },
      (row) => row.sid,
    );
  }

  private async query<R extends QueryResultRow = QueryResultRow>(
    statement: Statement | string,
    values: unknown[],
    client?: PoolClient,
  ): Promise<QueryResult<R>> {
    const startedAt = this.watch.begin();
    const config =
      typeof statement === 'string'
        ? { text: statement, values }
        : { name: statement.name, text: statement.text, values };
    try {
      const result = await (client ?? this.pool).query<R>(config);
      this.watch.succeeded(startedAt);
      return result;
    } catch (error) {
      this.watch.failed(error);
      throw error;
    }
  }

  /**
   * When the core's deadline for the call now starting ends, on performance.now()'s clock. A hook
   * takes it before its first await: the core starts its timer after that, so this is never later.
   */
  private deadline(): number {
    return performance.now() + this.operationTimeoutMs;
  }

  /**
   * Runs a write so that a call reported as failed never lands later (a timed-out set must not
   * bring back a session a later destroy removed). The server cancels the statement, by its
   * `statement_timeout`, at least `landingMarginMs` before the call's deadline, so the caller gets
   * the server's answer (cancelled: nothing written) rather than a timeout. When waiting for a
   * connection ate into that, the statement gets a shorter limit first (`SET`, then `RESET`; a
   * failure destroys the connection and the setting with it); when nothing is left, it is not sent.
   * A pool passed in without `statement_timeout` is used as it is: its writes are not limited
   * server-side (README, "Timeouts").
   */
  private async write<R extends QueryResultRow = QueryResultRow>(
    deadline: number,
    statement: Statement,
    values: unknown[],
  ): Promise<QueryResult<R>> {
    const limitMs = this.statementLimitMs;
    if (limitMs === null) return this.query<R>(statement, values);
    return this.withClient('write', async (client) => {
      const budgetMs = Math.floor(deadline - performance.now() - this.landingMarginMs);
      if (budgetMs <= 0) {
        throw storeError(
          STORE_NAME,
          'write',
          StoreErrorCode.timeout,
          'no connection was free in time; the statement was not sent',
        );
      }
      if (budgetMs >= limitMs) return this.query<R>(statement, values, client);
      await this.query(`SET statement_timeout = ${budgetMs}`, [], client);
      const result = await this.query<R>(statement, values, client);
      await this.query('RESET statement_timeout', [], client);
      return result;
    });
  }

  /** Finds out the table's layout once (creating the table if asked to); a failure is retried on the next call. */
  private prepare(): Promise<Prepared> {
    if (!this.prepared) {
      this.prepared = this.inspectTable().then(
        async (layout) => ({
          layout,
          statements: buildStatements(this.table, layout),
          userStatements: (await this.prepareUserColumn()) ? buildUserStatements(this.table, layout) : null,
        }),
        (error: unknown) => {
          this.prepared = null;
          throw error;
        },
      );
    }
    return this.prepared;
  }

  /** The user statements; only the by-user hooks call it, which the core calls only with the `userId` option. */
  private async userIndex(): Promise<UserStatements> {
    return (await this.prepare()).userStatements!;
  }

  /**
   * Whether set writes the user column. With the `userId` option the store gives an existing table
   * the column and its index (never without the option); without it, a table that has the column
   * still gets it written, to null, so a session saved by an instance without the option is never
   * left listed under the user it had.
   */
  private async prepareUserColumn(): Promise<boolean> {
    const { rows } = await this.query<{ present: boolean }>(hasUserColumn, [this.table]);
    const present = rows[0]?.present === true;
    // Present: no DDL, whose ACCESS EXCLUSIVE lock would stall a busy table at every start.
    if (present || !this.indexesUsers) return present;
    const ddl = addUserColumnStatements(this.table);
    try {
      await this.withClient('userId', async (client) => {
        await this.query('BEGIN', [], client);
        await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`session-stores create ${this.table}`], client);
        for (const text of ddl) await this.query(text, [], client);
        await this.query('COMMIT', [], client);
      });
    } catch (error) {
      throw new Error(
        `cannot add the user column the "userId" option needs to table ${this.table} (${(error as Error).message}); run: ${ddl.join('; ')}`,
        { cause: error },
      );
    }
    return true;
  }

  private async inspectTable(): Promise<TableLayout> {
    const { rows } = await this.query<ColumnRow>(describeTable, [this.table]);
    if (rows.length > 0) return layoutFromColumns(this.table, rows);
    if (!this.createTableIfMissing) {
      throw new Error(
        `table ${this.table} does not exist: create it (see the README) or pass createTableIfMissing: true`,
      );
    }
    return layoutFromColumns(this.table, await this.createTable());
  }

  /** Creates the table under a transaction-scoped advisory lock, so that stores starting together create it once. */
  private async createTable(): Promise<ColumnRow[]> {
    return this.withClient('createTable', async (client) => {
      await this.query('BEGIN', [], client);
      try {
        await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`session-stores create ${this.table}`], client);
        let { rows } = await this.query<ColumnRow>(describeTable, [this.table], client);
        if (rows.length === 0) {
          for (const ddl of createTableStatements(this.table)) await this.query(ddl, [], client);
          ({ rows } = await this.query<ColumnRow>(describeTable, [this.table], client));
        }
        await this.query('COMMIT', [], client);
        return rows;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /**
   * Deletes expired rows in batches of `pruneBatchSize`, under an advisory lock on the table:
   * when another store (any instance, any host) is pruning the same table, it deletes nothing
   * and gives 0.
   */
  protected override async pruneExpired(): Promise<number> {
    const { statements } = await this.bounded(this.prepare(), 'prune');
    return this.withClient('prune', async (client) => {
      const { rows } = await this.bounded(this.query<{ locked: boolean }>(tryPruneLock, [this.table], client), 'prune');
      if (rows[0]?.locked !== true) return 0;
      // On a failure the lock is not released here: withClient destroys the connection, and
      // the lock with it.
      let deleted = 0;
      for (;;) {
        const { rowCount } = await this.bounded(
          this.query(statements.pruneBatch, [Date.now(), this.pruneBatchSize], client),
          'prune',
        );
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < this.pruneBatchSize || this.closing) break;
      }
      await this.bounded(this.query(releasePruneLock, [this.table], client), 'prune');
      return deleted;
    });
  }

  /**
   * Runs `body` on a connection of its own (a session-level advisory lock and a transaction
   * need one). A failure of any kind destroys the connection instead of returning it to the
   * pool: a lock or transaction it may still hold dies with it.
   */
  private async withClient<T>(operation: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    const connecting = this.pool.connect();
    let client: PoolClient;
    try {
      client = await this.bounded(connecting, operation);
    } catch (error) {
      // A connection that arrives after the deadline is handed straight back.
      connecting.then(
        (late) => late.release(),
        () => {},
      );
      this.watch.failed(error);
      throw error;
    }
    // A connection that dies while checked out and between two queries emits `error` on the
    // client, which pg leaves to whoever holds it (pool.query does the same): unheard, it would
    // end the process. The next query on it fails, and that failure is what the call reports.
    const onError = (error: Error): void => this.watch.failed(error);
    client.on('error', onError);
    try {
      const result = await body(client);
      client.off('error', onError);
      client.release();
      return result;
    } catch (error) {
      client.off('error', onError);
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }
}

/** What the store finds out about its table once: the layout and the statements for it. */
interface Prepared {
  layout: TableLayout;
  statements: Statements;
  /** Null when the table has no user column and the store has no `userId` option. */
  userStatements: UserStatements | null;
}

// With the u flag a surrogate pair is one code point, so the class matches only lone surrogates.
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;
