import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { trackPid, untrackPid } from './exit-cleanup';
import { logTail } from './local-process';

export interface RunOptions {
  cwd: string;
  logFile: string;
  timeoutMs: number;
  user?: { uid: number; gid: number };
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a setup command (initdb, redis-cli --cluster create) to completion, its output appended
 * to the log file. Rejects with the log tail when it fails or outlives the deadline (then it is
 * killed).
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<void> {
  const logFd = openSync(options.logFile, 'a');
  const logOffset = statSync(options.logFile).size;
  writeSync(logFd, `--- ${new Date().toISOString()} harness runs: ${command} ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      ...options.user,
    });
  } finally {
    closeSync(logFd);
  }
  return new Promise<void>((resolve, reject) => {
    const pid = child.pid;
    if (pid !== undefined) trackPid(pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const fail = (what: string) =>
      reject(
        new Error(
          `${command} ${args.join(' ')} ${what}. Log (${options.logFile}):\n${logTail(options.logFile, logOffset)}`,
        ),
      );
    child.once('error', (error) => {
      clearTimeout(timer);
      if (pid !== undefined) untrackPid(pid);
      fail(`could not be run (${error.message})`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) untrackPid(pid);
      if (code === 0) resolve();
      else if (timedOut) fail(`took longer than ${options.timeoutMs} ms`);
      else fail(signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
  });
}
