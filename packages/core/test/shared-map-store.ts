import type { SessionData } from 'express-session';
import type { ConformanceOptions, Inspector } from '@session-stores/conformance';
import {
  SessionStoreBase,
  type BaseStoreOptions,
  type RecordInspection,
  type StoredEntry,
  type StoredRecord,
} from '../src';

/**
 * A test fixture, not a store to use: the smallest backend on which the whole conformance suite
 * can run against SessionStoreBase, so that core's tests (and `pnpm mutation`, which runs only
 * core's and the reference store's tests) check the base against the contract as the real
 * stores do. Records live in a Map per namespace shared by every store made on one backend
 * (two app instances), work runs on a later turn as over a network, and `stop()` refuses every
 * call like a server that went away.
 */
interface MapRecord {
  payload: string;
  expiresAt: number;
  userId: string | null;
}

export class SharedMapBackend {
  private readonly namespaces = new Map<string, Map<string, MapRecord>>();
  private readonly stores = new Set<SharedMapStore>();
  private down = false;

  records(namespace: string): Map<string, MapRecord> {
    let records = this.namespaces.get(namespace);
    if (!records) this.namespaces.set(namespace, (records = new Map()));
    return records;
  }

  /** Runs `work` on a later turn; refused while the backend is stopped. */
  call<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        if (this.down)
          reject(Object.assign(new Error('connect ECONNREFUSED (map backend stopped)'), { code: 'ECONNREFUSED' }));
        else resolve(work());
      });
    });
  }

  attach(store: SharedMapStore): void {
    this.stores.add(store);
  }

  detach(store: SharedMapStore): void {
    this.stores.delete(store);
  }

  async stop(): Promise<void> {
    this.down = true;
    for (const store of this.stores) store.connectionChanged(false);
  }

  async start(): Promise<void> {
    this.down = false;
    for (const store of this.stores) store.connectionChanged(true);
  }
}

/**
 * Which optional hooks the store has (the base reads them in its constructor, so each variant
 * is a subclass). `full`: listRecords, a clear page by page, inspect and sessions by user.
 * `lean`: only listIds and countRecords for the listings (no all/iterate), a clear in one
 * promise, and nothing else: the other paths through the base.
 */
export type SharedMapVariant = 'full' | 'lean';

export interface SharedMapStoreOptions extends BaseStoreOptions {
  backend: SharedMapBackend;
  namespace: string;
}

const PAGE_SIZE = 50;

function pagesOf<T>(items: T[]): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += PAGE_SIZE) pages.push(items.slice(i, i + PAGE_SIZE));
  return pages;
}

export class SharedMapStore extends SessionStoreBase {
  readonly backend: SharedMapBackend;
  readonly namespace: string;

  constructor({ backend, namespace, ...options }: SharedMapStoreOptions) {
    super({ storeName: 'SharedMapStore', persistent: true }, options);
    this.backend = backend;
    this.namespace = namespace;
    backend.attach(this);
  }

  get records(): Map<string, MapRecord> {
    return this.backend.records(this.namespace);
  }

  /** What a connection monitor would call. */
  connectionChanged(up: boolean): void {
    if (up) this.reportConnected();
    else this.reportDisconnected();
  }

  protected readRecord(sid: string): Promise<StoredRecord | null> {
    return this.backend.call(() => {
      const record = this.records.get(sid);
      return record ? { payload: record.payload, expiresAt: record.expiresAt } : null;
    });
  }

  protected writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session: SessionData,
    userId: string | null,
  ): Promise<void> {
    return this.backend.call(() => {
      this.records.set(sid, { payload, expiresAt, userId });
    });
  }

  protected refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    return this.backend.call(() => {
      const record = this.records.get(sid);
      if (!record || record.expiresAt <= Date.now()) return;
      // An encrypted record seals its expiry: it must be rewritten for the new one to count.
      const payload = this.encrypts ? this.rewriteCookie('touch', sid, record.payload, session, expiresAt) : null;
      this.records.set(sid, { ...record, payload: payload ?? record.payload, expiresAt });
    });
  }

  protected deleteRecord(sid: string): Promise<void> {
    return this.backend.call(() => {
      this.records.delete(sid);
    });
  }

  protected override closeBackend(): Promise<void> {
    this.backend.detach(this);
    return Promise.resolve();
  }

  protected liveSids(): string[] {
    const now = Date.now();
    return [...this.records].filter(([, record]) => record.expiresAt > now).map(([sid]) => sid);
  }
}

/** listRecords, a clear page by page, inspect and sessions by user. */
export class FullSharedMapStore extends SharedMapStore {
  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    const entries = await this.backend.call(() =>
      [...this.records].map(([sid, { payload, expiresAt }]) => ({ sid, payload, expiresAt })),
    );
    for (const page of pagesOf(entries)) yield await this.backend.call(() => page);
  }

  protected override async *deleteAllRecords(): AsyncIterable<unknown> {
    const sids = await this.backend.call(() => [...this.records.keys()]);
    for (const page of pagesOf(sids))
      yield await this.backend.call(() => page.forEach((sid) => this.records.delete(sid)));
  }

  protected override inspectRecord(sid: string): Promise<RecordInspection | null> {
    return this.backend.call(() => {
      const record = this.records.get(sid);
      if (!record) return null;
      return {
        backend: 'Map',
        location: `namespace ${this.namespace}`,
        stored: record.payload,
        expiresAt: record.expiresAt,
        expiry: `expiresAt ${record.expiresAt}`,
      };
    });
  }

  protected override listUserRecords(userId: string): Promise<StoredEntry[]> {
    return this.backend.call(() =>
      [...this.records]
        .filter(([, record]) => record.userId === userId)
        .map(([sid, { payload, expiresAt }]) => ({ sid, payload, expiresAt })),
    );
  }

  protected override deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    return this.backend.call(() => {
      let deleted = 0;
      const now = Date.now();
      for (const [sid, record] of this.records) {
        if (record.userId !== userId || sid === exceptSid) continue;
        this.records.delete(sid);
        if (record.expiresAt > now) deleted += 1;
      }
      return deleted;
    });
  }
}

/** Only listIds and countRecords for the listings, and a clear in one promise. */
export class LeanSharedMapStore extends SharedMapStore {
  protected override async *listIds(): AsyncIterable<string[]> {
    const sids = await this.backend.call(() => this.liveSids());
    for (const page of pagesOf(sids)) yield await this.backend.call(() => page);
  }

  protected override countRecords(): Promise<number> {
    return this.backend.call(() => this.liveSids().length);
  }

  protected override deleteAllRecords(): Promise<void> {
    return this.backend.call(() => this.records.clear());
  }
}

const inspector: Inspector<SharedMapStore> = {
  async rawTtlMs(store, sid) {
    const record = store.records.get(sid);
    return record && record.expiresAt > Date.now() ? record.expiresAt - Date.now() : null;
  },
  async rawValue(store, sid) {
    return store.records.get(sid)?.payload ?? null;
  },
  async writeCorrupt(store, sid, kind) {
    const record = store.records.get(sid);
    store.records.set(sid, {
      payload: kind === 'not-json' ? '{"cookie": not json' : '["an", "array"]',
      expiresAt: record?.expiresAt ?? Date.now() + 3_600_000,
      userId: record?.userId ?? null,
    });
  },
};

/** Conformance options for one variant on a backend of its own, with `options` for every store. */
export function sharedMapConformance(
  name: string,
  variant: SharedMapVariant,
  options: BaseStoreOptions = {},
): ConformanceOptions<SharedMapStore> {
  const backend = new SharedMapBackend();
  const Store = variant === 'full' ? FullSharedMapStore : LeanSharedMapStore;
  return {
    name,
    createStore: ({ namespace, userId }) =>
      new Store({ backend, namespace, ...options, ...(variant === 'full' ? { userId } : {}) }),
    inspect: inspector,
    faults: { stopBackend: () => backend.stop(), startBackend: () => backend.start() },
  };
}
