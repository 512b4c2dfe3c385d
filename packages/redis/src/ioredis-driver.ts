import type { Cluster, Redis } from 'ioredis';
import { withinMs, type ConnectionListener, type ExpiryCommand, type RedisDriver } from './driver';

/** An ioredis client: a standalone (or Sentinel-managed) `Redis`, or a `Cluster`. */
export type IoredisClient = Redis | Cluster;

/**
 * An ioredis client as the store's public types name it: structurally, so that the published
 * declarations never import ioredis's types (an app on node-redis does not have them).
 */
export interface IoredisLike {
  readonly status: string;
  readonly options: object;
}

/** True for an ioredis `Redis` or `Cluster` (duck-typed: this file never loads ioredis). */
export function isIoredisClient(client: Record<string, unknown>): boolean {
  return typeof client.multi === 'function' && typeof client.on === 'function' && typeof client.status === 'string';
}

/** The store's commands on an ioredis client. */
export class IoredisDriver implements RedisDriver {
  readonly name = 'ioredis';
  /** ioredis writes each command on its own: one EVALSHA costs it less than GET and PEXPIRETIME. */
  readonly readsWithScript = true;
  readonly isCluster: boolean;
  /** A `Redis` (standalone or Sentinel-managed) writes every command on its one connection. */
  readonly runsInOrderSent: boolean;
  readonly keyPrefix: string;

  constructor(readonly client: IoredisClient) {
    this.isCluster = (client as { isCluster?: unknown }).isCluster === true;
    this.runsInOrderSent = !this.isCluster;
    this.keyPrefix = String(client.options.keyPrefix ?? '');
  }

  /**
   * A killed server's socket ends before ioredis handles its `close`: until then the status is
   * still `ready`, and a command fails at once without the offline queue. Waiting for the
   * socket too keeps such calls in the store's wait (a timer) instead of failing in a loop of
   * microtasks that would never let ioredis see the close.
   */
  isReady(): boolean {
    if (this.client.status !== 'ready') return false;
    const stream = (this.client as { stream?: { writable?: boolean } }).stream;
    return stream === undefined || stream.writable !== false;
  }

  unusable(): string | null {
    const status = this.client.status;
    if (status === 'end') return 'the ioredis client has been closed';
    // A lazyConnect client connects on its first command, which the store holds back until it is ready.
    if (status === 'wait') this.client.connect().catch(() => {});
    return null;
  }

  async readWithExpiry(key: string, expiryCommand: ExpiryCommand): Promise<[string | null, number]> {
    const client = this.client;
    const [value, expiry] = await Promise.all([
      client.get(key),
      expiryCommand === 'PEXPIRETIME' ? client.pexpiretime(key) : client.pttl(key),
    ]);
    return [value, Number(expiry)];
  }

  async set(key: string, value: string, at: number | null): Promise<void> {
    if (at === null) await this.client.set(key, value);
    else await this.client.set(key, value, 'PXAT', at);
  }

  async expireAt(key: string, at: number): Promise<number> {
    return Number(await this.client.pexpireat(key, at));
  }

  async unlink(keys: readonly string[]): Promise<void> {
    await this.client.unlink(...keys);
  }

  evalsha(sha1: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.client.evalsha(sha1, keys.length, ...keys, ...args);
  }

  eval(source: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.client.eval(source, keys.length, ...keys, ...args);
  }

  async *scanPages(pattern: string, count: number): AsyncGenerator<string[]> {
    // Each master holds only its own slots; before the Cluster is ready it lists none (the store waits for that).
    const nodes = this.isCluster ? (this.client as Cluster).nodes('master') : [this.client as Redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count, 'TYPE', 'string');
        cursor = next;
        yield keys;
      } while (cursor !== '0');
    }
  }

  /**
   * ioredis emits `ready` once a connection (or, for a Cluster, the slot map) is usable, and
   * `close`/`end` when it is lost. A single failed command emits none of these (clause 37).
   */
  follow(listener: ConnectionListener): () => void {
    const client = this.client;
    const up = () => listener.up();
    const down = () => listener.down();
    client.on('ready', up);
    client.on('close', down);
    client.on('end', down);
    if (client.status === 'ready') listener.up();
    return () => {
      client.off('ready', up);
      client.off('close', down);
      client.off('end', down);
    };
  }

  async close(waitMs: number): Promise<void> {
    const client = this.client;
    if (client.status === 'end') return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    try {
      await withinMs(client.quit(), waitMs);
    } catch {
      // Redis is unreachable: nothing to say goodbye to.
    }
    // quit() may have ended it meanwhile; TypeScript still sees the status narrowed above.
    if ((client.status as string) === 'end') return;
    client.disconnect();
    await withinMs(ended, waitMs);
  }
}
