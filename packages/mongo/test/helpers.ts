import { randomBytes } from 'node:crypto';
import { backendForTests, BackendUnavailableError, startMongo, type HarnessServer } from '@session-stores/test-servers';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { MongoStore, type MongoStoreOptions, type SessionDocument } from '../src/index';

/** FerretDB lacks TTL indexes and nested arrays in documents; tests that depend on either branch on this. */
export type ServerKind = 'ferretdb' | 'mongodb';

export interface MongoTarget {
  kind: ServerKind;
  server: HarnessServer;
  /** `ferretdb (local)`, `mongodb (url)`: shows in test titles where the server came from. */
  title: string;
}

export interface MongoTargets {
  targets: MongoTarget[];
  /** Titles of the server kinds that could not be had here, with the reason, for visible skips. */
  skipped: string[];
}

/**
 * The servers a Mongo test file runs against, disposed after the file:
 * - a local FerretDB, always (the harness builds it; in strict mode a missing one fails the run);
 * - a real MongoDB from MONGO_URL or a container, when either exists here. Without one the
 *   MongoDB-only checks are reported as skipped, never silently passed.
 */
export async function mongoTargets(): Promise<MongoTargets> {
  const targets: MongoTarget[] = [];
  const skipped: string[] = [];

  const ferret = await backendForTests('mongo', { provider: 'local' });
  if (ferret) targets.push(await describeTarget(ferret));
  else skipped.push('ferretdb (local FerretDB not available)');

  const real = await realMongo();
  if (typeof real === 'string') skipped.push(`mongodb (${real})`);
  else {
    afterAll(() => real.dispose());
    targets.push(await describeTarget(real));
  }
  return { targets, skipped };
}

/** A real MongoDB from MONGO_URL, else a container; the reason when there is neither. */
async function realMongo(): Promise<HarnessServer | string> {
  const reasons: string[] = [];
  for (const provider of ['url', 'container'] as const) {
    try {
      return await startMongo({ provider });
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      reasons.push(error.message);
    }
  }
  return `no real MongoDB: ${reasons.join('; ')}`;
}

async function describeTarget(server: HarnessServer): Promise<MongoTarget> {
  const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const kind: ServerKind = typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
    return { kind, server, title: `${kind} (${server.provider})` };
  } finally {
    await client.close();
  }
}

/** A fresh collection name per test: tests share a server but never data. */
export function uniqueName(prefix = 's'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** The database every Mongo test writes to; collections are unique per test. */
export const TEST_DB = 'session_stores_test';

/** A plain driver client for reading and planting documents behind the store's back; the caller closes it. */
export function directClient(target: MongoTarget): MongoClient {
  return new MongoClient(target.server.url, { serverSelectionTimeoutMS: 5000 });
}

/** A session as express-session hands it to a store, in its JSON form, expiring in `maxAgeMs`. */
export function sessionData(
  maxAgeMs = 60_000,
  extra: Record<string, unknown> = {},
): { cookie: { originalMaxAge: number; expires: string; httpOnly: boolean; path: string } } & Record<string, unknown> {
  return {
    cookie: {
      originalMaxAge: maxAgeMs,
      expires: new Date(Date.now() + maxAgeMs).toISOString(),
      httpOnly: true,
      path: '/',
    },
    ...extra,
  };
}

/** Polls `condition` until it holds, failing after `timeoutMs` (never a fixed sleep). */
export async function eventually(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What a test file of one target holds: a direct client, its test database, and the stores it made. */
export interface TestBed {
  readonly direct: MongoClient;
  readonly db: Db;
  readonly stores: MongoStore[];
  /** A store on its own collection (autoRemove off unless asked), closed after the file. */
  makeStore(options?: Partial<MongoStoreOptions>): { store: MongoStore; collection: Collection<SessionDocument> };
}

/** Registers the file's hooks for `target`: the direct client connects before the tests, and everything closes after. */
export function testBed(target: MongoTarget): TestBed {
  let direct: MongoClient | undefined;
  const stores: MongoStore[] = [];
  beforeAll(async () => {
    direct = directClient(target);
    await direct.connect();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await direct?.close();
  });
  return {
    get direct() {
      return direct!;
    },
    get db() {
      return direct!.db(TEST_DB);
    },
    stores,
    makeStore(options = {}) {
      const collectionName = options.collectionName ?? uniqueName();
      const store = new MongoStore({
        mongoUrl: target.server.url,
        dbName: TEST_DB,
        collectionName,
        autoRemove: 'disabled',
        ...options,
      } as MongoStoreOptions);
      stores.push(store);
      return { store, collection: direct!.db(TEST_DB).collection<SessionDocument>(collectionName) };
    },
  };
}
