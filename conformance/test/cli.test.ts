import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Runs the CLI from source (tsx) in a child process; resolves with its exit code and output. */
function runCli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('session-store-conformance (CLI)', () => {
  it('runs the whole suite on a factory module and exits 0 when every test passes', { timeout: 240_000 }, async () => {
    const { code, output } = await runCli([
      'conformance/examples/reference-store-factory.ts',
      '--name',
      'ReferenceStore via CLI',
    ]);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/failed/);
    expect(code).toBe(0);
  });

  it('exits 1 when a test fails', { timeout: 240_000 }, async () => {
    const { code, output } = await runCli([
      'conformance/test/fixtures/extra-key-factory.ts',
      '--group',
      'requiredMethods',
    ]);
    expect(output).toMatch(/\[C7\]/);
    expect(output).toMatch(/\d+ failed/);
    expect(code).toBe(1);
  });

  it('exits 2 with the usage on bad arguments', { timeout: 60_000 }, async () => {
    const { code, output } = await runCli(['--group', 'nonsense', 'x.js']);
    expect(code).toBe(2);
    expect(output).toMatch(/Usage: session-store-conformance/);
  });
});
