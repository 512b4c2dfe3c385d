import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * sqlite3 (under connect-sqlite3 and connect-session-knex on SQLite) ships no binary: its install
 * script downloads one, or Node's headers to build one, so pnpm does not run it
 * (pnpm-workspace.yaml). It is built here once, with pnpm's own node-gyp, from the SQLite sources inside the
 * package and the headers of the Node that runs this (the npm `node` package carries them).
 * Returns null when the binary is there, or why it could not be had.
 */
export function ensureSqlite3Binary(log: (line: string) => void): string | null {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('sqlite3/package.json'));
  } catch {
    return 'sqlite3 is not installed';
  }
  if (existsSync(join(packageDir, 'build', 'Release', 'node_sqlite3.node'))) return null;
  const nodeDir = nodeHeadersDir();
  if (!nodeDir) return `no Node headers (include/node/common.gypi) next to ${process.execPath}`;
  log(`building sqlite3 with node-gyp and the headers in ${nodeDir} (a few minutes, once)`);
  // pnpm puts the node-gyp it bundles on the PATH of the scripts it runs (`pnpm grade`).
  const result = spawnSync('node-gyp', ['rebuild', `--nodedir=${nodeDir}`, '--jobs=2'], {
    cwd: packageDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (result.error) return `node-gyp could not be run (${result.error.message}): run this through \`pnpm grade\``;
  if (result.status !== 0) {
    const tail = (result.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return `node-gyp could not build sqlite3 (exit ${result.status}): ${tail}`;
  }
  return null;
}

/** A Node install tree with headers: the running binary's own, or /usr for a distribution's Node. */
function nodeHeadersDir(): string | null {
  const fromBinary = dirname(dirname(realpathSync(process.execPath)));
  const candidates = [fromBinary, join(fromBinary, 'node_modules', `node-${process.platform}-${process.arch}`), '/usr'];
  return candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'common.gypi'))) ?? null;
}
