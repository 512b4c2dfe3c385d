import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HarnessServer, RedisSentinelServer } from '@session-stores/test-servers';
import {
  freezeFault,
  killFault,
  loseOneServerFault,
  sentinelFailoverFault,
  sqliteLockFault,
  stopFault,
  terminateConnectionsFault,
  type Fault,
} from './faults';
import { withPostgres } from './postgres-admin';
import type { AppConfig } from './protocol';

/** What a soak needs of a backend: the store's settings, the faults to inject, clean-up. */
export interface RunningTarget {
  server: string;
  config: Omit<AppConfig, 'namespace' | 'operationTimeoutMs'>;
  /** Every fault of a full run, in order; the short profile injects the first only. */
  faults: Fault[];
  dispose(): Promise<void>;
}

export interface SoakTarget {
  name: SoakTargetName;
  /**
   * Whether an acknowledged session must survive every fault (the target is 0 lost). Where it
   * need not (memcached, Redis without fsync per write, a Sentinel failover), losses are
   * measured and reported.
   */
  durable: boolean;
  /**
   * The most this target's server sustains before any fault, used by a full run unless
   * `--users` or `--concurrency` is given: a server already saturated (requests timing out,
   * late writes landing) measures its own ceiling, not how the store rides out a fault.
   */
  load?: { users: number; concurrency: number; why: string };
  start(downMs: number): Promise<RunningTarget>;
}

export const SOAK_TARGET_NAMES = [
  'redis',
  'redis-everysec',
  'redis-sentinel',
  'postgres',
  'mongo',
  'sqlite',
  'memcached',
] as const;
export type SoakTargetName = (typeof SOAK_TARGET_NAMES)[number];

/** Soak faults signal server processes: only the local provider gives their pids. */
const LOCAL = { provider: 'local' } as const;

function fromServer(server: HarnessServer, config: RunningTarget['config'], faults: Fault[]): RunningTarget {
  return { server: `${server.backend} (${server.provider})`, config, faults, dispose: () => server.dispose() };
}

async function redisWithFsync(fsync: 'always' | 'everysec', downMs: number): Promise<RunningTarget> {
  const { startLocalRedisWithConfig } = await import('@session-stores/test-servers');
  const server = await startLocalRedisWithConfig(['appendonly yes', `appendfsync ${fsync}`]);
  return fromServer(server, { backend: 'redis', url: server.url }, [
    killFault(server, downMs),
    freezeFault(server, downMs),
    stopFault(server, downMs),
  ]);
}

export const SOAK_TARGETS: Record<SoakTargetName, SoakTarget> = {
  redis: { name: 'redis', durable: true, start: (downMs) => redisWithFsync('always', downMs) },
  'redis-everysec': { name: 'redis-everysec', durable: false, start: (downMs) => redisWithFsync('everysec', downMs) },
  'redis-sentinel': {
    name: 'redis-sentinel',
    durable: false,
    async start() {
      const { startRedisSentinel } = await import('@session-stores/test-servers');
      const server = (await startRedisSentinel(LOCAL)) as RedisSentinelServer;
      return fromServer(
        server,
        { backend: 'redis-sentinel', sentinels: [...server.sentinels], masterName: server.masterName },
        [sentinelFailoverFault(server), sentinelFailoverFault(server)],
      );
    },
  },
  postgres: {
    name: 'postgres',
    durable: true,
    async start(downMs) {
      const { startPostgres } = await import('@session-stores/test-servers');
      const server = await startPostgres(LOCAL);
      // The test server runs with synchronous_commit=off (fast tests); an app's database acknowledges
      // a commit once its WAL is written, which is what a soak that kills the server must measure.
      // A database setting overrides the server's command line for every new connection.
      await withPostgres(server.url, (client) => client.query('ALTER DATABASE postgres SET synchronous_commit = on'));
      return fromServer(server, { backend: 'postgres', url: server.url }, [
        killFault(server, downMs),
        terminateConnectionsFault(server),
        freezeFault(server, downMs),
        stopFault(server, downMs),
      ]);
    },
  },
  mongo: {
    name: 'mongo',
    durable: true,
    load: {
      users: 250,
      concurrency: 8,
      why: 'FerretDB (the MongoDB stand-in here) takes about 450 writes a second; at 32 in flight its p99 passed the 2 s call deadline before any fault',
    },
    async start(downMs) {
      const { startMongo } = await import('@session-stores/test-servers');
      const server = await startMongo(LOCAL);
      return fromServer(server, { backend: 'mongo', url: server.url }, [
        stopFault(server, downMs),
        killFault(server, downMs),
        freezeFault(server, downMs),
      ]);
    },
  },
  sqlite: {
    name: 'sqlite',
    durable: true,
    async start(downMs) {
      const dir = await mkdtemp(join(tmpdir(), 'session-stores-soak-'));
      const filename = join(dir, 'sessions.db');
      return {
        server: 'SQLite file (better-sqlite3, WAL)',
        config: { backend: 'sqlite', filename },
        faults: [sqliteLockFault(filename, downMs), sqliteLockFault(filename, downMs)],
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  memcached: {
    name: 'memcached',
    durable: false,
    async start(downMs) {
      const { startMemcached } = await import('@session-stores/test-servers');
      const server = await startMemcached({ ...LOCAL, servers: 2 });
      return fromServer(server, { backend: 'memcached', url: server.url }, [
        loseOneServerFault(server, downMs),
        freezeFault(server, downMs),
      ]);
    },
  },
};
