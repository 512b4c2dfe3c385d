import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { DriverMissingError, ServerStartError } from './errors';
import { trackPid, untrackPid } from './exit-cleanup';
import { mentionsAddressInUse } from './free-port';
import { killedWithParent } from './parent-death';
import { pollUntil } from './poll';

export interface LocalProcessOptions {
  /** Names the process in messages: `redis-server on 127.0.0.1:40001`. */
  label: string;
  command: string;
  args: readonly string[];
  cwd: string;
  /** stdout and stderr go here (appended across restarts). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (PostgreSQL refuses to run as root). Needs the harness to run as root. */
  user?: { uid: number; gid: number };
  /** The signal that shuts the server down cleanly. Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /**
   * Whether the server answers. It gets the pid so it can check that the answer comes from this
   * process and not from another server that took the port first.
   */
  isReady: (pid: number) => Promise<boolean>;
  startTimeoutMs: number;
  /** How long a clean shutdown may take before SIGKILL. Default 15 s. */
  stopTimeoutMs?: number;
}

const LOG_TAIL_BYTES = 4096;
const LOG_TAIL_LINES = 30;

/** The last lines of a log file from `fromOffset` on, for error messages. */
export function logTail(file: string, fromOffset = 0): string {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    const start = Math.max(fromOffset, size - LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES);
    return lines.length === 1 && lines[0] === '' ? '(log is empty)' : lines.join('\n');
  } catch {
    return '(no log)';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * One server process: spawned with its output in a log file, polled until it answers, and
 * stopped by its own pid (the clean-shutdown signal, then SIGKILL after a deadline). Its pid is
 * registered so that a crashed test run still kills it (exit-cleanup.ts).
 */
export class LocalProcess {
  readonly options: LocalProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitDescription: string | undefined = 'not started';

  constructor(options: LocalProcessOptions) {
    this.options = options;
  }

  /** The pid while the process runs. */
  get pid(): number | undefined {
    return this.exitDescription === undefined ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { label, command, args, cwd, logFile, env, user, startTimeoutMs, isReady } = this.options;
    const logFd = openSync(logFile, 'a');
    const logOffset = statSync(logFile).size;
    let child: ChildProcess;
    try {
      writeSync(logFd, `--- ${new Date().toISOString()} harness starts: ${command} ${args.join(' ')}\n`);
      const wrapped = killedWithParent(command, args);
      child = spawn(wrapped.command, wrapped.args, {
        cwd,
        env: env ?? process.env,
        stdio: ['ignore', logFd, logFd],
        ...user,
      });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.exitDescription = undefined;
    this.exited = new Promise<void>((resolve) => {
      const done = (description: string) => {
        if (this.child === child && this.exitDescription === undefined) this.exitDescription = description;
        if (child.pid !== undefined) untrackPid(child.pid);
        resolve();
      };
      child.once('error', (error) => done(`could not be run: ${error.message}`));
      child.once('exit', (code, signal) => done(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    });
    if (child.pid !== undefined) trackPid(child.pid);

    const startError = (): ServerStartError | undefined => {
      if (this.exitDescription === undefined) return undefined;
      const tail = logTail(logFile, logOffset);
      return new ServerStartError(
        `${label} ${this.exitDescription} while starting. Log (${logFile}):\n${tail}`,
        mentionsAddressInUse(tail),
      );
    };
    try {
      await pollUntil(async () => child.pid !== undefined && (await isReady(child.pid)), {
        what: `${label} to answer`,
        timeoutMs: startTimeoutMs,
        abort: startError,
        detail: () => `Log (${logFile}):\n${logTail(logFile, logOffset)}`,
      });
    } catch (error) {
      await this.kill();
      if (error instanceof ServerStartError || error instanceof DriverMissingError) throw error;
      throw new ServerStartError(error instanceof Error ? error.message : String(error), false);
    }
  }

  /** Clean shutdown; SIGKILL when it takes longer than `timeoutMs` (default `stopTimeoutMs`). */
  async stop(timeoutMs = this.options.stopTimeoutMs ?? 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(this.options.stopSignal ?? 'SIGTERM');
    const stopped = new AbortController();
    const inTime = await Promise.race([
      this.exited.then(() => true),
      delay(timeoutMs, false, { signal: stopped.signal }).catch(() => false),
    ]);
    stopped.abort();
    if (!inTime) await this.kill();
  }

  /** Immediate SIGKILL. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await this.exited;
  }
}
