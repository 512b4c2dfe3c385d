import { rmSync } from 'node:fs';

/**
 * Last-resort cleanup: whatever the harness started is killed, and its temporary directories
 * removed, when the test process exits without disposing them (a crashed or interrupted run),
 * so no server outlives the run. Normal runs dispose servers themselves (afterAll).
 */
const livePids = new Set<number>();
const liveDirs = new Set<string>();
let installed = false;

function cleanUpNow(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  livePids.clear();
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: a directory left in the OS temp dir is harmless.
    }
  }
  liveDirs.clear();
}

// Marks our handlers, so that two copies of the harness in one process (source and dist) do not
// each wait for the other to end the process.
const HARNESS_HANDLER = Symbol.for('session-stores.harness.signal-handler');

function onSignal(signal: NodeJS.Signals): void {
  cleanUpNow();
  // Keep the default meaning of the signal (terminate) unless someone else handles it.
  process.removeListener(signal, onSignal);
  const others = process.listeners(signal).filter((listener) => !(HARNESS_HANDLER in listener));
  if (others.length === 0) process.kill(process.pid, signal);
}
Object.defineProperty(onSignal, HARNESS_HANDLER, { value: true });

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

export function trackPid(pid: number): void {
  install();
  livePids.add(pid);
}

export function untrackPid(pid: number): void {
  livePids.delete(pid);
}

export function trackDir(dir: string): void {
  install();
  liveDirs.add(dir);
}

export function untrackDir(dir: string): void {
  liveDirs.delete(dir);
}
