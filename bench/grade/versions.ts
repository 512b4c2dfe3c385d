import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed version of a package the bench can load (its package.json found from its entry). */
export function installedVersion(name: string, resolveFrom = require): string {
  const dir = packageDir(name, resolveFrom);
  return dir
    ? ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown')
    : 'not installed';
}

/**
 * The versions of a store's packages: the store as the bench installs it, each other package
 * (its driver) as the store itself resolves it (connect-mongodb-session has a mongodb of its own).
 */
export function storeVersions(packages: readonly string[]): Record<string, string> {
  const [store, ...drivers] = packages;
  if (!store) return {};
  const storeDir = packageDir(store, require);
  const fromStore = storeDir ? createRequire(join(storeDir, 'package.json')) : require;
  return {
    [store]: installedVersion(store),
    ...Object.fromEntries(drivers.map((driver) => [driver, installedVersion(driver, fromStore)])),
  };
}

function packageDir(name: string, resolveFrom: NodeJS.Require): string | null {
  let dir: string;
  try {
    dir = dirname(resolveFrom.resolve(name));
  } catch {
    return null;
  }
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
