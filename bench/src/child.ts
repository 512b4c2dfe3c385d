import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: children run there so tsx maps @session-stores/* to the sources, as the parent does. */
export const repoDir = fileURLToPath(new URL('../..', import.meta.url));

/** The environment variable through which a child gets its job. */
export const JOB_VARIABLE = 'SESSION_BENCH_JOB';

/**
 * Starts a TypeScript file of the bench in a fresh Node process (tsx loader, `--expose-gc`,
 * an IPC channel for results). Measurements that need honest memory figures or their own
 * CPU (an app under load) run there.
 */
export function forkBenchChild(script: URL, job: unknown, extraExecArgv: string[] = []): ChildProcess {
  const tsx = import.meta.resolve('tsx');
  return fork(fileURLToPath(script), [], {
    cwd: repoDir,
    execArgv: ['--expose-gc', '--import', tsx, ...extraExecArgv],
    env: { ...process.env, [JOB_VARIABLE]: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
}

/** Collects a child's stderr (bounded), for error reports. */
export function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (text.length < 20_000) text += chunk.toString('utf8');
  });
  return () => text.trim().split('\n').slice(-5).join(' | ');
}

/** The first message the child sends, or an error when it exits or the deadline passes first. */
export function firstMessage<T>(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`child timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (${signal ?? `code ${code}`}) before answering: ${stderr() || 'no output'}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Ends a child we started, by its own pid, and waits until it is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
