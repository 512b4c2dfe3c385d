import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HarnessServer, RedisSentinelServer } from '@session-stores/test-servers';
import { withPostgres } from './postgres-admin';
import { signalTrees } from './process-tree';

/**
 * A fault the runner injects into a backend while traffic runs. `inject` breaks the backend,
 * `restore` brings it back (the moment recovery is measured from); an instant fault (connections
 * terminated, a failover) has nothing to restore and `downMs` 0.
 */
export interface Fault {
  name: FaultName;
  /** One line for the report. */
  description: string;
  downMs: number;
  inject(): Promise<void>;
  restore(): Promise<void>;
}

export type FaultName =
  'kill' | 'stop' | 'freeze' | 'terminate-connections' | 'sentinel-failover' | 'lose-one-server' | 'sqlite-lock';

/** The server's processes; faults that signal them need a server the harness started locally. */
function serverPids(server: HarnessServer): number[] {
  const pids = server.local?.pids() ?? [];
  if (pids.length === 0) throw new Error(`${server.backend}: no local server processes to signal`);
  return pids;
}

export function killFault(server: HarnessServer, downMs: number): Fault {
  return {
    name: 'kill',
    description: `SIGKILL of the server, restarted after ${downMs / 1000} s`,
    downMs,
    inject: async () => signalTrees(serverPids(server), 'SIGKILL'),
    restore: () => server.start(),
  };
}

export function stopFault(server: HarnessServer, downMs: number): Fault {
  return {
    name: 'stop',
    description: `clean stop of the server, restarted after ${downMs / 1000} s`,
    downMs,
    inject: () => server.stop(),
    restore: () => server.start(),
  };
}

export function freezeFault(server: HarnessServer, downMs: number): Fault {
  let frozen: number[] = [];
  return {
    name: 'freeze',
    description: `server frozen (SIGSTOP) for ${downMs / 1000} s, then resumed (SIGCONT)`,
    downMs,
    inject: async () => {
      frozen = serverPids(server);
      signalTrees(frozen, 'SIGSTOP');
    },
    restore: async () => signalTrees(frozen, 'SIGCONT'),
  };
}

/** PostgreSQL ends every other connection, as an administrator or a failover proxy would. */
export function terminateConnectionsFault(server: HarnessServer): Fault {
  return {
    name: 'terminate-connections',
    description: 'every client connection terminated from the server (pg_terminate_backend)',
    downMs: 0,
    inject: async () => {
      await withPostgres(server.url, (client) =>
        client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = $1',
          ['client backend'],
        ),
      );
    },
    restore: async () => undefined,
  };
}

export function sentinelFailoverFault(server: RedisSentinelServer): Fault {
  return {
    name: 'sentinel-failover',
    description: 'Sentinel failover: the replica becomes master',
    downMs: 0,
    inject: async () => void (await server.failover()),
    restore: async () => undefined,
  };
}

/** One of two memcached servers killed, and started again (empty) after `downMs`. */
export function loseOneServerFault(server: HarnessServer, downMs: number): Fault {
  return {
    name: 'lose-one-server',
    description: `one of two memcached servers killed, restarted empty after ${downMs / 1000} s`,
    downMs,
    inject: async () => signalTrees(serverPids(server).slice(0, 1), 'SIGKILL'),
    restore: () => server.start(),
  };
}

const lockHolder = fileURLToPath(new URL('./sqlite-lock-holder.ts', import.meta.url));

/** Another process holds the SQLite file's write lock (BEGIN EXCLUSIVE) for `downMs`. */
export function sqliteLockFault(filename: string, downMs: number): Fault {
  let released: Promise<void> = Promise.resolve();
  return {
    name: 'sqlite-lock',
    description: `another process holds the database's exclusive lock for ${downMs / 1000} s`,
    downMs,
    inject: async () => {
      const child = fork(lockHolder, [filename, String(downMs)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      released = new Promise((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`the lock holder exited with code ${code} before locking`)));
      });
    },
    restore: () => released,
  };
}
