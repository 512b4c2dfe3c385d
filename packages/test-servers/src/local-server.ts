import { join } from 'node:path';
import { ServerStartError } from './errors';
import type { LocalProcess } from './local-process';
import { removeTempDir } from './temp-dir';
import type { BackendName, HarnessServer, HostPort } from './types';

const DISPOSE_TIMEOUT_MS = 5000;

export interface LocalServerParts {
  backend: BackendName;
  dir: string;
  url: string;
  nodes: readonly HostPort[];
  /** In start order; stopped in reverse order. */
  processes: readonly LocalProcess[];
  dataSurvivesRestart: boolean;
  /**
   * Brings the processes up and waits until the whole server is usable. Default: start every
   * process in order. Topologies override it (cluster state, replica sync, Sentinel agreement).
   */
  bringUp?: () => Promise<void>;
}

/**
 * A server made of local processes in one temporary directory. stop() shuts every process
 * down cleanly and keeps the directory; start() runs the same commands again, on the same
 * ports with the same data directory; dispose() kills what runs and removes the directory.
 */
export class LocalServer implements HarnessServer {
  readonly backend: BackendName;
  readonly provider = 'local' as const;
  readonly canRestart = true;
  readonly url: string;
  readonly nodes: readonly HostPort[];
  readonly dataSurvivesRestart: boolean;
  readonly local: HarnessServer['local'];
  protected readonly processes: readonly LocalProcess[];
  private readonly bringUp: () => Promise<void>;
  private readonly dir: string;
  private disposed = false;
  /** Serializes start/stop/dispose so overlapping calls cannot interleave process handling. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(parts: LocalServerParts) {
    this.backend = parts.backend;
    this.url = parts.url;
    this.nodes = parts.nodes;
    this.dataSurvivesRestart = parts.dataSurvivesRestart;
    this.processes = parts.processes;
    this.dir = parts.dir;
    this.bringUp =
      parts.bringUp ??
      (async () => {
        for (const process of this.processes) await process.start();
      });
    const processes = this.processes;
    this.local = {
      dir: parts.dir,
      logFiles: processes.map((process) => process.options.logFile),
      pids: () => processes.flatMap((process) => (process.pid === undefined ? [] : [process.pid])),
    };
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  start(): Promise<void> {
    return this.serialize(async () => {
      if (this.disposed) throw new Error(`${this.backend}: start() after dispose()`);
      if (this.processes.every((process) => process.running)) return;
      try {
        await this.bringUp();
      } catch (error) {
        // A half-started topology is worse than a stopped one: leave nothing running.
        await Promise.all(this.processes.map((process) => process.kill()));
        throw error;
      }
    });
  }

  stop(): Promise<void> {
    return this.serialize(async () => {
      for (const process of [...this.processes].reverse()) await process.stop();
    });
  }

  dispose(): Promise<void> {
    return this.serialize(async () => {
      if (this.disposed) return;
      this.disposed = true;
      // A clean shutdown with a short deadline: PostgreSQL's children end with it, where a
      // SIGKILL of the postmaster would leave them to notice on their own.
      for (const process of [...this.processes].reverse()) await process.stop(DISPOSE_TIMEOUT_MS);
      await removeTempDir(this.dir);
    });
  }
}

/** `<dir>/<name>.log`. */
export function logFileIn(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}

const ADDRESS_IN_USE_ATTEMPTS = 5;

/**
 * Makes and starts a local server, again with fresh ports when a port chosen by freePorts()
 * was taken by another process before the server could bind it. Any other failure is thrown.
 */
export async function startLocalServer<T extends LocalServer>(create: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const server = await create();
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.dispose();
      const retry = error instanceof ServerStartError && error.addressInUse && attempt < ADDRESS_IN_USE_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}
