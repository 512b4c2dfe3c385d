import {
  cookieExpiresAt,
  jsonSerializer,
  namespacedSidProblem,
  resolveExpiresAt,
  ONE_DAY_SECONDS,
  type RecordInspection,
  SessionStoreBase,
  storeError,
  StoreErrorCode,
  type StoredEntry,
  type StoredRecord,
} from '@session-stores/core';
import type { SessionData } from 'express-session';
import { setTimeout as delay } from 'node:timers/promises';
import memjs, { type Client } from 'memjs';
import { BinaryCommands, MemcachedStatusError, Status, type StoredItem } from './binary-protocol';
import { GRANULARITY_MS, memcachedExptime } from './exptime';
import { inspectMemcachedRecord } from './inspect-record';
import { isValidKeyLength, MAX_KEY_BYTES, sessionKey, sidOfKey } from './keys';
import { type DumpInfo, metadump, type MetadumpOptions } from './metadump';
import { KeyList } from './key-list';
import {
  type ConnectMemcachedSecretOptions,
  ITEM_OVERHEAD_BYTES,
  type MemcachedStoreOptions,
  resolveOptions,
  STORE_NAME,
} from './options';
import { ConnectionWatch } from './connection-watch';
import { decryptConnectMemcached, parseConnectMemcachedCiphertext } from './connect-memcached-secret';
import { ketamaServerIndex } from './ketama';

/**
 * The item flags of a JSON session: the `memcached` package (connect-memcached's client) marks
 * JSON values with 2 and parses them on read, so connect-memcached reads our sessions as objects.
 */
const FLAG_JSON = 2;

/** A touch re-reads and retries this many times when sets keep landing between its read and write. */
const MAX_TOUCH_ATTEMPTS = 5;

/** Most LRU dumps one listing makes on servers without the hash dump (it stops once a dump finds nothing new). */
const MAX_LIST_PASSES = 3;

/** Most LRU dumps one clear makes on servers without the hash dump (it stops once a dump finds nothing left). */
const MAX_CLEAR_PASSES = 3;

/**
 * The pause between LRU dumps. The LRU walk skips items that are in use, and an item read
 * while in the cold LRU stays "in use" in a bump queue until memcached's LRU maintainer, which
 * sleeps up to a second when idle, gets to it: a dump right after another misses the same items.
 */
const LRU_SETTLE_MS = 1100;

/** How often a down server is probed, so that `connect` follows its return without traffic. */
const PROBE_INTERVAL_MS = 1000;

/**
 * An express-session store on memcached, through memjs: `prefix + sid` keys holding the session
 * JSON; expiry in whole seconds, rounded up, plus a second of margin (absolute Unix times beyond
 * 30 days); a touch that rewrites only the cookie with compare-and-set; and
 * `all`/`ids`/`length`/`clear`/`iterate` that list keys with `lru_crawler metadump` and touch
 * only this prefix (never `flush_all`).
 */
export class MemcachedStore extends SessionStoreBase {
  /** The memjs client: yours, or the one the store made from `servers`. */
  readonly client: Client;
  /** The key prefix. */
  readonly prefix: string;

  private readonly ownsClient: boolean;
  private readonly commands: BinaryCommands;
  private readonly watch: ConnectionWatch;
  private readonly batchSize: number;
  private readonly itemFlags: number;
  private readonly dumpOptions: MetadumpOptions;
  private readonly connectMemcachedSecret: Required<ConnectMemcachedSecretOptions> | null;

  constructor(options: MemcachedStoreOptions) {
    const resolved = resolveOptions(options);
    super(
      {
        storeName: STORE_NAME,
        defaultTtlSeconds: ONE_DAY_SECONDS,
        ttlGranularityMs: GRANULARITY_MS,
        maxSessionBytes: resolved.itemSizeMax - ITEM_OVERHEAD_BYTES,
        // memcached keeps items in memory only: a restarted server has none.
        persistent: false,
        // See README, "Sessions by user".
        sessionsByUserUnsupported:
          'memcached has no secondary index, and one kept in items of its own would need compare-and-set loops across keys, grow without bound, and lose entries to eviction',
      },
      options,
    );
    this.prefix = resolved.prefix;
    this.batchSize = resolved.batchSize;
    const source = resolved.source;
    this.ownsClient = source.kind === 'servers';
    this.client = source.kind === 'client' ? source.client : memjs.Client.create(source.servers, source.clientOptions);
    if (source.kind === 'servers' && resolved.keyDistribution === 'ketama') {
      // memjs asks getServer(key) for the index of the server to use (memjs's documented hook;
      // @types/memjs types its result as a string, but memjs indexes its server list with it).
      const addresses = source.servers.split(',');
      const serverIndex = ketamaServerIndex(
        addresses.map((address, index) => ({ address, weight: source.weights[index]! })),
      );
      this.client.getServer = serverIndex as unknown as (key: string) => string;
    }
    this.connectMemcachedSecret = resolved.connectMemcachedSecret;
    const probeTimeoutMs = Math.min(this.operationTimeoutMs, 1000);
    this.watch = new ConnectionWatch(
      this.client.servers,
      { probeTimeoutMs, probeIntervalMs: PROBE_INTERVAL_MS },
      // Called from socket callbacks and the probe's timer: a throwing listener must neither fail
      // the command that was answered nor stop the probing (the core reports what a listener throws).
      {
        up: () => this.reportConnected(),
        allDown: () => this.reportDisconnected(),
      },
    );
    this.commands = new BinaryCommands(this.client, this.watch);
    this.itemFlags = this.serializer === jsonSerializer ? FLAG_JSON : 0;
    this.dumpOptions = {
      idleTimeoutMs: this.operationTimeoutMs,
      busyTimeoutMs: this.operationTimeoutMs,
      lruOnly: new Set(),
    };
  }

  /**
   * A key holds at most 250 bytes: a sid too long for one can never have been stored. A sid
   * with ":" would be a key of a nested namespace (see keys.ts).
   */
  protected override unstorableSid(sid: string): string | null {
    const problem = namespacedSidProblem(sid);
    if (problem !== null) return problem;
    return isValidKeyLength(sessionKey(this.prefix, sid))
      ? null
      : `the sid is too long for a memcached key: the prefix and escaped sid exceed ${MAX_KEY_BYTES} bytes`;
  }

  protected async readRecord(sid: string): Promise<StoredRecord | null> {
    const key = this.keyOf(sid);
    const item = await this.commands.get(key);
    if (!item) return null;
    // memcached cannot report an item's expiry: the stored cookie.expires is the truth, and the
    // base checks it against the clock on every read.
    return { payload: await this.ownPayload(sid, key, item), expiresAt: null };
  }

  /**
   * The stored text, except a session connect-memcached encrypted with its `secret` (when
   * `connectMemcachedSecret` is set): that one is decrypted, encoded in this store's format and
   * written back with compare-and-set (a newer write wins), so it is decrypted the old way once.
   * One that does not open stays as it is, and reading it is a decode error (a miss, reported).
   */
  private async ownPayload(sid: string, key: string, item: StoredItem): Promise<string> {
    const text = item.value.toString('utf8');
    const legacy = this.connectMemcachedSecret;
    const envelope = legacy && parseConnectMemcachedCiphertext(text);
    if (!envelope) return text;
    let session: unknown;
    try {
      session = JSON.parse(await decryptConnectMemcached(envelope, legacy!));
    } catch (error) {
      this.warn(
        'ERR_MEMCACHED_STORE_LEGACY_DECRYPT',
        'a session encrypted by connect-memcached did not open with connectMemcachedSecret',
        error,
      );
      return text;
    }
    const now = Date.now();
    const expiresAt = resolveExpiresAt(session as SessionData, sid, now, this.ttl);
    const payload = this.encode('get', sid, session, expiresAt);
    if (expiresAt > now) {
      await this.commands.set(key, payload, this.itemFlags, memcachedExptime(expiresAt, now), item.cas);
    }
    return payload;
  }

  protected async writeRecord(sid: string, payload: string, expiresAt: number): Promise<void> {
    const key = this.keyOf(sid);
    try {
      await this.commands.set(key, payload, this.itemFlags, memcachedExptime(expiresAt, Date.now()));
    } catch (error) {
      throw this.explain('set', error);
    }
  }

  /**
   * memcached keeps the cookie only inside the stored JSON, so moving the expiry means rewriting
   * the value. Compare-and-set keeps that safe: read the item with its CAS token, replace only
   * its cookie, and write it back only if nobody wrote in between; a conflict means newer data
   * was written, so read again. A missing (or expired) session stays missing.
   */
  protected async refreshExpiry(sid: string, expiresAt: number, session: SessionData): Promise<void> {
    const key = this.keyOf(sid);
    for (let attempt = 1; attempt <= MAX_TOUCH_ATTEMPTS; attempt++) {
      const item = await this.commands.get(key);
      if (!item) return;
      const stored = item.value.toString('utf8');
      const current = this.decode(sid, stored);
      if (!current) return;
      const now = Date.now();
      const storedExpiry = cookieExpiresAt(current);
      if (storedExpiry !== null && storedExpiry <= now) return;
      // Decoded once, above, for its expiry: the rewrite starts from that copy.
      const payload = this.withCookie('touch', sid, current, session, expiresAt);
      let status: number;
      try {
        status = await this.commands.set(key, payload, item.flags, memcachedExptime(expiresAt, now), item.cas);
      } catch (error) {
        throw this.explain('touch', error);
      }
      if (status !== Status.keyExists) return;
    }
    throw new Error(
      `the session changed under touch ${MAX_TOUCH_ATTEMPTS} times in a row (compare-and-set conflicts); its expiry was left as the last writer set it`,
    );
  }

  protected async deleteRecord(sid: string): Promise<void> {
    await this.commands.delete(this.keyOf(sid));
  }

  /**
   * This prefix's sessions, server by server. Each server's dump is read to its end first, the
   * live keys of this namespace kept compactly (key-list.ts), and only then are the sessions
   * read, in pages of `batchSize` fetched in parallel, the next page while the caller holds one.
   * So an iterate() the app holds open, or abandons, never holds memcached's one crawler (other
   * stores' listings and clears would get BUSY) nor its hash table's growth.
   * The hash-table dump lists every item once; where a server only has the LRU dump (before
   * memcached 1.6.10), which misses items that move or are in use while it runs, the listing
   * dumps again, {@link LRU_SETTLE_MS} apart, until a dump finds nothing new (at most
   * {@link MAX_LIST_PASSES} dumps), remembering the keys handed out so that none comes twice.
   */
  protected override async *listRecords(): AsyncIterable<StoredEntry[]> {
    let seen: Set<string> | null = null;
    for (let pass = 1; pass <= MAX_LIST_PASSES; pass++) {
      if (pass > 1) await delay(LRU_SETTLE_MS);
      let found = 0;
      let consistent = true;
      for (const server of this.client.servers) {
        const info: DumpInfo = { consistent: true };
        const keys = new KeyList();
        for await (const piece of metadump(server, this.dumpOptions, info)) {
          // Only the LRU walk can list a key twice: the hash walk needs no memory of what it listed.
          if (!info.consistent) seen ??= new Set();
          const now = Date.now();
          for (const { key, exp } of piece) {
            if ((exp !== -1 && exp * 1000 <= now) || seen?.has(key) || this.sidOf(key) === null) continue;
            seen?.add(key);
            // Without the prefix, which every key of the listing shares: a third less to hold.
            keys.push(key.slice(this.prefix.length));
          }
          // A step per piece: the core bounds each step, not the whole dump. Nothing reaches
          // the caller before the dump ends, so the next piece is asked for at once.
          yield [];
        }
        found += keys.size;
        consistent &&= info.consistent;
        let next: Promise<StoredEntry[]> | null = null;
        for (const page of keys.pages(this.batchSize)) {
          const fetched = this.fetch(page.map((escapedSid) => this.prefix + escapedSid));
          // Read ahead: a caller that stops before this page is read must not leave its failure unhandled.
          fetched.catch(() => undefined);
          if (next) yield await next;
          next = fetched;
        }
        if (next) yield await next;
      }
      if (consistent || (pass > 1 && found === 0)) return;
    }
  }

  /**
   * Deletes this namespace's keys only, found with metadump: never `flush_all`, which would
   * empty the whole server. The dump is read to its end before the deletes (see listRecords).
   * With the LRU dump it dumps again, {@link LRU_SETTLE_MS} apart, until a dump finds none left
   * (at most {@link MAX_CLEAR_PASSES} dumps), for the reasons given at listRecords.
   */
  protected override async *deleteAllRecords(): AsyncGenerator<number> {
    for (let pass = 1; pass <= MAX_CLEAR_PASSES; pass++) {
      if (pass > 1) await delay(LRU_SETTLE_MS);
      let found = 0;
      let consistent = true;
      for (const server of this.client.servers) {
        const info: DumpInfo = { consistent: true };
        const keys = new KeyList();
        for await (const piece of metadump(server, this.dumpOptions, info)) {
          for (const { key } of piece) if (this.sidOf(key) !== null) keys.push(key);
          // One step per piece of the dump and per batch of deletes: the core bounds each step, not the whole clear.
          yield 0;
        }
        found += keys.size;
        consistent &&= info.consistent;
        for (const batch of keys.pages(this.batchSize)) {
          await Promise.all(batch.map((key) => this.commands.delete(key)));
          yield batch.length;
        }
      }
      if (consistent || found === 0) return;
    }
  }

  protected override async inspectRecord(sid: string): Promise<RecordInspection | null> {
    return inspectMemcachedRecord(this.commands, this.keyOf(sid));
  }

  protected override async closeBackend(): Promise<void> {
    this.watch.close();
    if (this.ownsClient) this.client.close();
  }

  private async fetch(keys: string[]): Promise<StoredEntry[]> {
    const items = await Promise.all(
      keys.map(async (key) => {
        const sid = this.sidOf(key)!;
        const item = await this.commands.get(key);
        return item && { sid, payload: await this.ownPayload(sid, key, item), expiresAt: null };
      }),
    );
    // Deleted or expired since the dump listed it.
    return items.filter((entry) => entry !== null);
  }

  /** The sid a key holds in this store's namespace, or null for a key of another store (or nested namespace). */
  private sidOf(key: string): string | null {
    return sidOfKey(this.prefix, key);
  }

  /** The key of a sid the base let through (see unstorableSid). */
  private keyOf(sid: string): string {
    return sessionKey(this.prefix, sid);
  }

  private explain(operation: string, error: unknown): unknown {
    if (error instanceof MemcachedStatusError && error.status === Status.valueTooLarge) {
      return storeError(
        STORE_NAME,
        operation,
        StoreErrorCode.tooLarge,
        "memcached refused the session as larger than its item size limit (its -I setting is below the store's itemSizeMax option); memcached drops the previous value of the key when it refuses a set",
        error,
      );
    }
    return error;
  }
}
