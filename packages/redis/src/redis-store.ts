import {
  cookieExpiresAt,
  describeCause,
  SessionStoreBase,
  storeError,
  StoreErrorCode,
  type StoredEntry,
  type StoredRecord,
} from '@session-stores/core';
import type { SessionData } from 'express-session';
import type { Redis } from 'ioredis';
import { untilClusterReady } from './cluster-ready';
import { followConnection } from './connection-events';
import { isCluster, prefixPattern, scanKeyPages } from './key-scan';
import { DEFAULT_TTL_SECONDS, resolveRedisOptions, type RedisClient, type RedisStoreOptions } from './options';
import { closeOwnClient, createOwnClient } from './own-client';
import { RecordReader } from './record-reader';
import { COMPARE_AND_SET, TOUCH_COOKIE } from './touch-scripts';

/**
 * An express-session store on Redis through ioredis: standalone, Sentinel or Cluster.
 *
 * Layout (the same as connect-redis, so apps can switch either way without logging anyone
 * out): one string key `prefix + sid` per session, holding the serialized session, expiring
 * when the session does. The key's own expiry, set to the millisecond with `SET .. PXAT`, is
 * the truth: `get` reads it with the value (`PEXPIRETIME`, in one script) and returns it as
 * `cookie.expires`.
 * `touch` replaces only the stored cookie and the key's expiry in one atomic script, so the
 * stored data is never overwritten by touch's possibly stale copy (see touch-scripts.ts).
 */
export class RedisStore extends SessionStoreBase {
  /** The ioredis client the store uses (yours, or the one it made). */
  readonly client: RedisClient;
  /** The key prefix, as given (without the client's own `keyPrefix`). */
  readonly prefix: string;
  readonly scanCount: number;
  readonly disableTTL: boolean;

  private readonly ownsClient: boolean;
  private readonly reader = new RecordReader();
  /** The client's own ioredis `keyPrefix`: it applies to keys we send, but not to SCAN patterns or the keys SCAN returns. */
  private readonly clientKeyPrefix: string;
  private readonly stopFollowing: () => void;
  /** Whether touch may splice the cookie into the stored JSON (plain JSON only: not a custom serializer's format, not encrypted). */
  private readonly splicesCookie: boolean;
  /**
   * Until a Cluster client that refuses calls while not ready (offline queue off, as the store
   * makes its own) has connected once, calls wait for that first connection instead of failing.
   */
  private firstConnection: Promise<void> | null = null;

  constructor(options: RedisStoreOptions) {
    super(
      {
        storeName: 'RedisStore',
        defaultTtlSeconds: DEFAULT_TTL_SECONDS,
        ttlGranularityMs: 1,
        maxSessionBytes: null,
        persistent: true,
      },
      options,
    );
    const resolved = resolveRedisOptions(options);
    this.prefix = resolved.prefix;
    this.scanCount = resolved.scanCount;
    this.disableTTL = resolved.disableTTL;
    this.ownsClient = resolved.source.kind !== 'client';
    this.splicesCookie =
      (options.serializer === undefined || options.serializer === JSON) && options.encryption === undefined;
    this.client =
      resolved.source.kind === 'client'
        ? resolved.source.client
        : createOwnClient(resolved.source, this.operationTimeoutMs);
    this.clientKeyPrefix = String(this.client.options.keyPrefix ?? '');
    const client = this.client;
    if (isCluster(client) && client.options.enableOfflineQueue === false && client.status !== 'ready') {
      const first = untilClusterReady(client).then(() => {
        this.firstConnection = null;
      });
      first.catch(() => {});
      this.firstConnection = first;
    }
    this.stopFollowing = followConnection(this.client, {
      up: () => this.reportConnected(),
      down: () => this.reportDisconnected(),
    });
  }

  /** The Redis key of `sid`, as sent through the client (which adds its own `keyPrefix`, if any). */
  key(sid: string): string {
    return this.prefix + sid;
  }

  // Backend primitives --------------------------------------------------------------------

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    await this.firstConnection;
    const [record] = await this.reader.read(this.client, [this.key(sid)]);
    return record ? { payload: record.value, expiresAt: record.expiresAt } : null;
  }

  protected async writeRecord(sid: string, payload: string, expiresAt: number): Promise<void> {
    await this.firstConnection;
    if (this.disableTTL) await this.client.set(this.key(sid), payload);
    else await this.client.set(this.key(sid), payload, 'PXAT', Math.ceil(expiresAt));
  }

  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    await this.firstConnection;
    const key = this.key(sid);
    const expiry = this.disableTTL ? '' : Math.ceil(expiresAt);
    const cookie = this.splicesCookie ? this.cookieJson(session) : '';
    const outcome = await TOUCH_COOKIE.run(this.client, [key], [cookie, expiry]);
    if (!Array.isArray(outcome)) return;
    // The script could not splice: rewrite the cookie here (core decodes with the store's
    // serializer and cipher), and write it only if nothing changed the session meanwhile.
    const stored = String(outcome[0]);
    const rewritten = this.rewriteCookie('touch', sid, stored, session);
    if (rewritten === null) return;
    await COMPARE_AND_SET.run(this.client, [key], [stored, rewritten, expiry]);
  }

  protected async deleteRecord(sid: string): Promise<void> {
    await this.firstConnection;
    await this.client.unlink(this.key(sid));
  }

  protected override async *listRecords(): AsyncGenerator<StoredEntry[]> {
    for await (const keys of this.scanPages()) {
      const records = await this.reader.read(this.client, keys, true);
      yield records.map(({ key, value, expiresAt }) => ({
        sid: key.slice(this.prefix.length),
        payload: value,
        expiresAt,
      }));
    }
  }

  protected override async *listIds(): AsyncGenerator<string[]> {
    if (this.disableTTL) {
      // Keys never expire by themselves here: only the stored cookie says which sessions are live.
      for await (const entries of this.listRecords()) {
        const now = Date.now();
        yield entries.filter((entry) => this.isLiveByCookie(entry, now)).map((entry) => entry.sid);
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
      if (isCluster(this.client)) await Promise.all(keys.map((key) => this.client.unlink(key)));
      else await (this.client as Redis).unlink(...keys);
      yield keys.length;
    }
  }

  protected override async closeBackend(): Promise<void> {
    this.stopFollowing();
    if (this.ownsClient) await closeOwnClient(this.client, Math.min(this.operationTimeoutMs, 1000));
  }

  // Internals ---------------------------------------------------------------------------------

  /** Pages of this store's keys, as the client addresses them (its own keyPrefix removed). */
  private async *scanPages(): AsyncGenerator<string[]> {
    await this.firstConnection;
    const strip = this.clientKeyPrefix.length;
    for await (const keys of scanKeyPages(
      this.client,
      prefixPattern(this.clientKeyPrefix + this.prefix),
      this.scanCount,
    )) {
      yield strip === 0 ? keys : keys.map((key) => key.slice(strip));
    }
  }

  /** The touched cookie as JSON.stringify(session) would write it; a cookie JSON cannot hold is a serialize error, as in set. */
  private cookieJson(session: SessionData): string {
    try {
      return JSON.stringify(session.cookie ?? null);
    } catch (error) {
      throw storeError(
        this.storeName,
        'touch',
        StoreErrorCode.serialize,
        `the session's cookie cannot be serialized: ${describeCause(error)}`,
        error,
      );
    }
  }

  private isLiveByCookie(entry: StoredEntry, now: number): boolean {
    const session = this.decode(entry.sid, entry.payload);
    if (!session) return false;
    const expiresAt = cookieExpiresAt(session);
    return expiresAt === null || (!Number.isNaN(expiresAt) && expiresAt > now);
  }
}
