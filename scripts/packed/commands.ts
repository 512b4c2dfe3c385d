import { spawn, spawnSync } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  /** stdout and stderr interleaved as they came, for assertions and failure messages. */
  output: string;
}

/**
 * Runs a command to its end (or until `timeoutMs`, then kills it) and collects its output.
 * Never rejects: a test asserts on the exit code and shows the output when it is wrong.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => (output += `\n[${error.message}]`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Why npm cannot be used here, or null when it can. */
export function npmMissingReason(): string | null {
  const probe = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `npm is not on PATH (${probe.error.message})`;
  if (probe.status !== 0) return `npm --version exited with ${probe.status}`;
  return null;
}

/**
 * The environment every command in a temporary app runs with: the workspace's own variables
 * removed, so that npm and vitest see a plain project (no pnpm settings, no vitest worker state).
 */
export function appEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|VITEST|TEST$|NODE_OPTIONS$|FORCE_COLOR$)/i.test(name)) continue;
    env[name] = value;
  }
  env.NO_COLOR = '1';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  return env;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` of the app the process serves. */
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node <file>` and waits (up to `timeoutMs`) for it to print `listening on <port>`:
 * an app that serves on a port of its own choosing, on loopback. Rejects with the output
 * when it exits or stays silent instead.
 */
export function startServerProcess(
  file: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [file], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not listen within ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, output: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening:\n${output}`));
    });
  });
}
