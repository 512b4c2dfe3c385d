import { existsSync, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { isStrictMode } from '@session-stores/test-servers';
import { ensureSqlite3Binary } from '../../../bench/grade/sqlite3-binary';

const require = createRequire(import.meta.url);

/** connect-sqlite3's factory, as its README requires it. */
export type ConnectSqlite3Factory = (session: unknown) => new (options?: object) => object;

/**
 * The real connect-sqlite3 (a devDependency) on the real sqlite3 native module, whose binary is
 * built offline once (bench/grade/sqlite3-binary.ts). When it cannot be built, the tests using it
 * are skipped with the reason; in strict mode (CI) that fails the run instead.
 */
export function loadConnectSqlite3(): { factory: ConnectSqlite3Factory | null; reason: string } {
  withPnpmNodeGyp();
  const reason = oneBuildAtATime(() => ensureSqlite3Binary((line) => console.warn(`[connect-sqlite3] ${line}`)));
  if (reason !== null) {
    if (isStrictMode()) throw new Error(`[connect-sqlite3] required in strict mode: ${reason}`);
    console.warn(`[connect-sqlite3] skipped: ${reason}`);
    return { factory: null, reason };
  }
  return { factory: require('connect-sqlite3') as ConnectSqlite3Factory, reason: '' };
}

/**
 * pnpm puts its bundled node-gyp on the PATH of the scripts it runs (`pnpm test`), not of
 * `pnpm vitest`; find it beside the pnpm on the PATH so a targeted run can build too.
 */
function withPnpmNodeGyp(): void {
  const path = process.env.PATH ?? '';
  const dirs = path.split(delimiter);
  if (dirs.some((dir) => existsSync(join(dir, 'node-gyp')))) return;
  for (const dir of dirs) {
    const pnpm = join(dir, 'pnpm');
    if (!existsSync(pnpm)) continue;
    // The pnpm package's root: beside its native binary, or above its bin/pnpm.cjs.
    const real = dirname(realpathSync(pnpm));
    for (const root of [real, dirname(real)]) {
      const gypBin = join(root, 'dist', 'node-gyp-bin');
      if (existsSync(join(gypBin, 'node-gyp'))) {
        process.env.PATH = `${gypBin}${delimiter}${path}`;
        return;
      }
    }
  }
}

/**
 * Test files run in parallel processes, and two node-gyp builds in one directory break each
 * other: the first file to get here builds, the others wait for it (a lock directory; one left by
 * a killed run is taken over after 15 minutes), then find the binary there.
 */
function oneBuildAtATime<T>(build: () => T): T {
  const lock = join(tmpdir(), 'session-stores-sqlite3-build.lock');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile: try again.
      }
      Atomics.wait(pause, 0, 0, 500);
    }
  }
  try {
    return build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
