import { withinMs, type ConnectionListener, type ExpiryCommand, type RedisDriver } from './driver';

type Args = string[];

/** What the store uses of every node-redis client, typed loosely so that this file never loads `redis`. */
interface NodeRedisCommon {
  isOpen: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  close(): Promise<unknown>;
  destroy(): unknown;
}

/** A node-redis client (`createClient`). */
export interface NodeRedisClient extends NodeRedisCommon {
  isReady: boolean;
  sendCommand(args: Args): Promise<unknown>;
}

/** A node-redis Cluster (`createCluster`). */
export interface NodeRedisCluster extends NodeRedisCommon {
  masters: readonly unknown[];
  nodeClient(node: unknown): Promise<NodeRedisClient>;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: Args): Promise<unknown>;
}

/** A node-redis Sentinel client (`createSentinel`). */
export interface NodeRedisSentinel extends NodeRedisCommon {
  isReady: boolean;
  sendCommand(isReadonly: boolean | undefined, args: Args): Promise<unknown>;
}

export type NodeRedisAny = NodeRedisClient | NodeRedisCluster | NodeRedisSentinel;
type Topology = 'standalone' | 'cluster' | 'sentinel';

/** The topology of a node-redis client, or null when `client` is not one (duck-typed). */
export function nodeRedisTopology(client: Record<string, unknown>): Topology | null {
  if (typeof client.sendCommand !== 'function' || typeof client.isOpen !== 'boolean') return null;
  if (typeof client.nodeClient === 'function' && Array.isArray(client.masters)) return 'cluster';
  if (typeof client.acquire === 'function' && typeof client.use === 'function') return 'sentinel';
  if (typeof client.scanIterator === 'function' && typeof client.isReady === 'boolean') return 'standalone';
  return null;
}

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : String(value);

/**
 * The store's commands on a node-redis v5 client, as raw commands (`sendCommand`): node-redis
 * writes every command queued in one tick in one socket write, so the GET and PEXPIRETIME of a
 * read go out together.
 */
export class NodeRedisDriver implements RedisDriver {
  readonly name = 'node-redis';
  /** node-redis writes GET and PEXPIRETIME in one socket write; a script would cost Redis more. */
  readonly readsWithScript = false;
  readonly isCluster: boolean;
  /** One connection on a standalone client; a Sentinel client leases each command a client of its pool. */
  readonly runsInOrderSent: boolean;
  readonly keyPrefix = '';
  private readonly send: (key: string | undefined, args: Args) => Promise<unknown>;

  constructor(
    readonly client: NodeRedisAny,
    private readonly topology: Topology,
  ) {
    this.isCluster = topology === 'cluster';
    this.runsInOrderSent = topology === 'standalone';
    if (topology === 'cluster') {
      const cluster = client as NodeRedisCluster;
      this.send = (key, args) => cluster.sendCommand(key, false, args);
    } else if (topology === 'sentinel') {
      const sentinel = client as NodeRedisSentinel;
      this.send = (_key, args) => sentinel.sendCommand(false, args);
    } else {
      const single = client as NodeRedisClient;
      this.send = (_key, args) => single.sendCommand(args);
    }
  }

  isReady(): boolean {
    if (this.topology === 'cluster') {
      const cluster = this.client as NodeRedisCluster;
      return cluster.isOpen && cluster.masters.length > 0;
    }
    return (this.client as NodeRedisClient | NodeRedisSentinel).isReady;
  }

  unusable(): string | null {
    return this.client.isOpen ? null : 'the node-redis client is not open (call and await client.connect() first)';
  }

  readWithExpiry(key: string, expiryCommand: ExpiryCommand): Promise<[string | null, number]> {
    const value = this.send(key, ['GET', key]);
    const expiry = this.send(key, [expiryCommand, key]);
    // Both are sent before either is awaited; a failed GET leaves the other's outcome unwatched.
    expiry.catch(() => {});
    return value.then((got) => expiry.then((ttl) => [text(got), Number(ttl)]));
  }

  async set(key: string, value: string, at: number | null): Promise<void> {
    await this.send(key, at === null ? ['SET', key, value] : ['SET', key, value, 'PXAT', String(at)]);
  }

  async expireAt(key: string, at: number): Promise<number> {
    return Number(await this.send(key, ['PEXPIREAT', key, String(at)]));
  }

  async unlink(keys: readonly string[]): Promise<void> {
    await this.send(keys[0], ['UNLINK', ...keys]);
  }

  evalsha(sha1: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.send(keys[0], ['EVALSHA', sha1, String(keys.length), ...keys, ...args.map(String)]);
  }

  eval(source: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.send(keys[0], ['EVAL', source, String(keys.length), ...keys, ...args.map(String)]);
  }

  async *scanPages(pattern: string, count: number): AsyncGenerator<string[]> {
    const nodes: Array<(args: Args) => Promise<unknown>> = [];
    if (this.topology === 'cluster') {
      // Each master holds only its own slots.
      const cluster = this.client as NodeRedisCluster;
      for (const master of cluster.masters) {
        const node = await cluster.nodeClient(master);
        nodes.push((args) => node.sendCommand(args));
      }
    } else {
      nodes.push((args) => this.send(undefined, args));
    }
    for (const scan of nodes) {
      let cursor = '0';
      do {
        const reply = (await scan(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count), 'TYPE', 'string'])) as [
          unknown,
          unknown[],
        ];
        cursor = String(reply[0]);
        yield reply[1].map((key) => String(key));
      } while (cursor !== '0');
    }
  }

  /**
   * A client emits `ready` when its connection is usable and `reconnecting`/`end` when it is
   * lost; a Cluster `connect` once it knows the slot map and `disconnect` when closed. A
   * Sentinel client reports no such events: the store then only follows its first readiness.
   */
  follow(listener: ConnectionListener): () => void {
    const client = this.client;
    const up = () => listener.up();
    const down = () => listener.down();
    const [upEvent, downEvents] =
      this.topology === 'cluster' ? ['connect', ['disconnect']] : ['ready', ['reconnecting', 'end']];
    client.on(upEvent, up);
    for (const event of downEvents) client.on(event, down);
    if (this.isReady()) listener.up();
    return () => {
      client.off(upEvent, up);
      for (const event of downEvents) client.off(event, down);
    };
  }

  async close(waitMs: number): Promise<void> {
    if (!this.client.isOpen) {
      // A client still trying its first connection is not open yet, but holds a socket and timers.
      try {
        this.client.destroy();
      } catch {
        // Already closed.
      }
      return;
    }
    try {
      await withinMs(this.client.close(), waitMs);
    } catch {
      // Redis is unreachable: nothing to say goodbye to.
    }
    if (this.client.isOpen) this.client.destroy();
  }
}
