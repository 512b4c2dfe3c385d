import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_FILE = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/**
 * Debian's chromium (scripts/install-chromium.sh), or the browser named by CHROMIUM_PATH: the
 * test drives a browser of the system's, so nothing is downloaded. Null when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.CHROMIUM_PATH
    ? [env.CHROMIUM_PATH]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

export interface DemoProcess {
  url: string;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** SIGTERM, as a user's Ctrl-C: the demo closes its store and exits. */
  stop(): Promise<void>;
}

/**
 * The demo as a user runs it (`pnpm start` is `tsx examples/demo/src/server.ts`), in its own
 * process on a free port, so a test can restart the app for real.
 */
export async function startDemoProcess(env: Record<string, string>): Promise<DemoProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER_FILE], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Demo listening on (http:\/\/\S+?)\/? with/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the demo exited with code ${code} before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
