import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Runs the command as a user does, in its own process. */
function sessionStores(...args: string[]) {
  const child = spawnSync(process.execPath, [tsx, cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('session-stores, bad arguments: a clear message and exit status 2, no stack trace', () => {
  it.each([
    [['copy', 'ftp://127.0.0.1/x', './to.db'], /unsupported from URL "ftp:\/\/127\.0\.0\.1\/x": give redis:\/\//],
    [
      ['copy', 'redis://user:secret@', './to.db'],
      /the from URL "redis:\/\/user:\*\*\*@" is not a valid URL|names no host/,
    ],
    [
      ['copy', './from.db', 'memcached://127.0.0.1'],
      /memcached:\/\/host:port\[,host:port\]: "127\.0\.0\.1" is not host:port/,
    ],
    [
      ['copy', './from.db', 'redis://127.0.0.1:6379', '--to-table', 't'],
      /--to-table does not apply to redis; use --to-prefix/,
    ],
    [
      ['copy', './does-not-exist.db', 'redis://127.0.0.1:6379'],
      /the from side \.\/does-not-exist\.db: no such SQLite file/,
    ],
    [['copy', 'redis://127.0.0.1:6379'], /copy takes two stores, <from> and <to>; got 1/],
    [['copy', '--config', '/nonexistent/copy.json'], /cannot read the config file \/nonexistent\/copy\.json/],
    [['move', 'a', 'b'], /unknown command "move"/],
    [['copy', 'a.db', 'b.db', '--page-size', '0'], /--page-size must be a whole number/],
  ])('%j', (args, message) => {
    const { code, stdout, stderr } = sessionStores(...args);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('secret');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('--help prints the usage and exits with 0', () => {
    const { code, stdout } = sessionStores('--help');
    expect(stdout).toContain('session-stores copy <from> <to> [options]');
    expect(code).toBe(0);
  });
});
