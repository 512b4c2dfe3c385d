import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@session-stores/sqlite';
import type * as CliModule from '../src/index';
import { session, sid } from './helpers';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = ['index.js', 'index.cjs', 'cli.js'].every((file) => existsSync(`${dist}${file}`));

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(`@session-stores/cli built output${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'session-stores-cli-dist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads with require() and with import(), with the same exports', async () => {
    const required = createRequire(import.meta.url)('@session-stores/cli') as typeof CliModule;
    const imported = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof CliModule;
    expect(typeof required.copySessions).toBe('function');
    expect(Object.keys(imported).sort()).toEqual(Object.keys(required).sort());
  });

  it('the bin copies a SQLite file into another, loading the SQLite store from its package', async () => {
    const from = join(dir, 'from.db');
    const source = new SqliteStore({ filename: from, pruneInterval: false });
    const ids = [sid(), sid(), sid()];
    await Promise.all(ids.map((id) => source.set(id, session(60_000, { id }))));
    await source.close();
    const to = join(dir, 'to.db');
    const child = spawnSync(process.execPath, [`${dist}cli.js`, 'copy', from, `sqlite:${to}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toContain('3 copied');
    expect(child.status).toBe(0);
    const target = new SqliteStore({ filename: to, pruneInterval: false });
    expect((await target.ids()).sort()).toEqual([...ids].sort());
    await target.close();
  });
});
