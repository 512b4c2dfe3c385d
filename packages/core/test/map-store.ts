import type { SessionData } from 'express-session';
import {
  SessionStoreBase,
  type BaseStoreOptions,
  type RecordInspection,
  type StoredEntry,
  type StoredRecord,
} from '../src';

/**
 * A minimal backend for exercising the base class: a Map of records. `hang` makes every
 * primitive wait forever (a dead server); `fail` makes them reject (a failing server).
 */
export class MapStore extends SessionStoreBase {
  readonly records = new Map<string, { payload: string; expiresAt: number }>();
  hang = false;
  fail: Error | null = null;

  constructor(options?: BaseStoreOptions, extra: { maxSessionBytes?: number } = {}) {
    super(
      {
        storeName: 'MapStore',
        defaultTtlSeconds: 60,
        ttlGranularityMs: 1,
        maxSessionBytes: extra.maxSessionBytes ?? null,
      },
      options,
    );
  }

  private async backend(): Promise<void> {
    if (this.hang) await new Promise(() => {});
    if (this.fail) throw this.fail;
  }

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    await this.backend();
    return this.records.get(sid) ?? null;
  }

  protected async writeRecord(sid: string, payload: string, expiresAt: number): Promise<void> {
    await this.backend();
    this.records.set(sid, { payload, expiresAt });
  }

  protected async refreshExpiry(sid: string, expiresAt: number, _session: SessionData): Promise<void> {
    await this.backend();
    const record = this.records.get(sid);
    if (record && record.expiresAt > Date.now()) record.expiresAt = expiresAt;
  }

  protected async deleteRecord(sid: string): Promise<void> {
    await this.backend();
    this.records.delete(sid);
  }

  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    await this.backend();
    const entries = [...this.records].map(([sid, record]) => ({ sid, ...record }));
    for (let i = 0; i < entries.length; i += 2) yield entries.slice(i, i + 2);
  }

  protected override deleteAllRecords(): Promise<void> | AsyncIterable<unknown> {
    return this.backend().then(() => this.records.clear());
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    await this.backend();
    const record = this.records.get(sid);
    if (!record) return null;
    return {
      backend: 'Map',
      location: `entry ${JSON.stringify(sid)}`,
      stored: record.payload,
      expiresAt: record.expiresAt,
      expiry: `expiresAt ${record.expiresAt}`,
    };
  }
}

/** A store with only the four required primitives: no enumeration. */
export class MinimalStore extends SessionStoreBase {
  constructor(options?: BaseStoreOptions) {
    super({ storeName: 'MinimalStore', defaultTtlSeconds: 60, ttlGranularityMs: 1 }, options);
  }
  protected async readRecord(): Promise<StoredRecord | null> {
    return null;
  }
  protected async writeRecord(): Promise<void> {}
  protected async refreshExpiry(): Promise<void> {}
  protected async deleteRecord(): Promise<void> {}
}

export function sessionExpiringIn(ms: number, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString(), httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

/**
 * A MapStore whose backend cannot hold sids containing "!", that prunes expired records with
 * `pruneExpired` (counting its calls; `pruneGate` holds a prune open until resolved), and that
 * exposes the protected helpers to the tests.
 */
export class PruningStore extends MapStore {
  readonly calls: string[] = [];
  pruneRuns = 0;
  pruneGate: Promise<void> | null = null;

  protected override unstorableSid(sid: string): string | null {
    return sid.includes('!') ? 'sid contains "!", which this backend cannot hold' : null;
  }

  protected override async readRecord(sid: string): Promise<StoredRecord | null> {
    this.calls.push(`read ${sid}`);
    return super.readRecord(sid);
  }

  protected override async deleteRecord(sid: string): Promise<void> {
    this.calls.push(`delete ${sid}`);
    return super.deleteRecord(sid);
  }

  protected override async pruneExpired(): Promise<number> {
    this.pruneRuns += 1;
    if (this.fail) throw this.fail;
    await this.pruneGate;
    let deleted = 0;
    for (const [sid, record] of this.records) {
      if (record.expiresAt <= Date.now()) {
        this.records.delete(sid);
        deleted += 1;
      }
    }
    return deleted;
  }

  runPruneTimer(intervalMs: number): void {
    this.startPruneTimer(intervalMs, 0);
  }

  report(code: string, message: string, cause?: unknown): void {
    this.warn(code, message, cause);
  }

  /** What a connection monitor calls, from a promise callback here as in the stores. */
  connectionUp(): Promise<void> {
    return Promise.resolve().then(() => this.reportConnected());
  }

  connectionDown(): Promise<void> {
    return Promise.resolve().then(() => this.reportDisconnected());
  }

  runHook(hook: (error: Error) => unknown, error: Error): void {
    this.callHookSafely('errorLog', hook, error);
  }

  cookieJson(session: SessionData): string | null {
    return this.touchedCookieJson('touch', session);
  }
}
