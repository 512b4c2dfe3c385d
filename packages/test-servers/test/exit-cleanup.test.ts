import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../src/poll';
import { processExists } from './lifecycle';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/crashing-run.ts', import.meta.url));

interface Started {
  pids: number[];
  dir: string;
}

/** Runs the fixture; resolves with what it started, its exit, and a way to signal it. */
function runFixture(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<Started[]>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(JSON.parse(line) as Started[]);
    });
    void exited.then(() => reject(new Error(`the fixture ended before starting its servers:\n${stderr}`)));
  });
  return { child, started, exited };
}

async function expectProcessesGone(started: Started[]): Promise<void> {
  const pids = started.flatMap((server) => server.pids);
  expect(pids.length).toBeGreaterThanOrEqual(3);
  // SIGKILL is delivered at once, but the kernel may take a moment to tear a process down.
  await pollUntil(async () => pids.every((pid) => !processExists(pid)), {
    what: 'the servers to end',
    timeoutMs: 5000,
  });
}

async function expectAllGone(started: Started[]): Promise<void> {
  await expectProcessesGone(started);
  for (const server of started) expect(existsSync(server.dir)).toBe(false);
}

const setprivKnowsPdeathsig = (() => {
  if (process.platform !== 'linux') return false;
  try {
    return execFileSync('setpriv', ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(
      '--pdeathsig',
    );
  } catch {
    return false;
  }
})();

describe('servers of a test process that dies without disposing them', () => {
  it(
    'are killed, and their directories removed, when the process calls process.exit()',
    { timeout: 60_000 },
    async () => {
      const run = runFixture(['exit', '--postgres']);
      const started = await run.started;
      expect(started).toHaveLength(3);
      expect(await run.exited).toEqual({ code: 3, signal: null });
      await expectAllGone(started);
    },
  );

  it('are killed, and the process still ends by the signal, on SIGTERM', { timeout: 60_000 }, async () => {
    const run = runFixture(['signal']);
    const started = await run.started;
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
    await expectAllGone(started);
  });

  // Nothing in the process runs on SIGKILL: the kernel kills the servers (setpriv --pdeathsig).
  // Their directories stay in the OS temp dir; this test removes them.
  it.runIf(setprivKnowsPdeathsig)(
    'are killed by the kernel when the process is killed with SIGKILL (Linux)',
    { timeout: 60_000 },
    async () => {
      const run = runFixture(['kill', '--postgres']);
      const started = await run.started;
      try {
        expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
        await expectProcessesGone(started);
      } finally {
        for (const server of started) rmSync(server.dir, { recursive: true, force: true });
      }
    },
  );
});
