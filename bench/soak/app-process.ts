import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { APP_CONFIG_VARIABLE, type AppConfig, type AppMessage } from './protocol';

const appFile = fileURLToPath(new URL('./app.ts', import.meta.url));

/** A process exit the runner did not ask for: the store (or the app around it) crashed. */
export interface Crash {
  at: number;
  app: number;
  exit: string;
  /** The end of what the process wrote to stderr: the uncaught error. */
  stderrTail: string;
}

export interface MemorySample {
  at: number;
  app: number;
  rss: number;
  heapUsed: number;
}

/**
 * One app process, restarted on a new port when it dies so that the run goes on (each death
 * is a crash in the results). `port` is where traffic goes now.
 */
export class AppProcess {
  port = 0;
  private child: ChildProcess | null = null;
  private stopping = false;
  private stderr = '';

  constructor(
    readonly index: number,
    private readonly config: AppConfig,
    private readonly sink: {
      crash(crash: Crash): void;
      memory(sample: MemorySample): void;
      message(app: number, message: AppMessage): void;
    },
  ) {}

  /** Starts the process; resolves once it listens. */
  start(): Promise<void> {
    this.stderr = '';
    const child = fork(appFile, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [APP_CONFIG_VARIABLE]: JSON.stringify(this.config) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      child.on('message', (message: AppMessage) => {
        if (message.type === 'listening') {
          this.port = message.port;
          resolve();
        } else if (message.type === 'memory') {
          this.sink.memory({ at: message.at, app: this.index, rss: message.rss, heapUsed: message.heapUsed });
        } else {
          this.sink.message(this.index, message);
        }
      });
      child.once('exit', (code, signal) => {
        const exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        if (this.port === 0) return reject(new Error(`the soak app ${exit} while starting:\n${this.stderr}`));
        if (this.stopping) return;
        this.sink.crash({ at: Date.now(), app: this.index, exit, stderrTail: this.stderr });
        this.port = 0;
        // Keep the run going: the crash is counted, traffic resumes on a fresh process.
        this.start().catch(() => undefined);
      });
    });
  }

  /** Asks the app to close its store and exit; kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
