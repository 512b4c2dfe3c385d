import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './commands';
import { publishedPackages } from './published-packages';

/**
 * `pnpm pack` of every published package into `destination`, as a release would publish it
 * (workspace ranges replaced by versions). The packages must have been built: `pnpm test`
 * builds first. Returns each package's name and tarball path.
 */
export async function packAll(destination: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const { dir, manifest } of publishedPackages()) {
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${manifest.name} has no dist: run pnpm build first`);
    const packed = await runCommand('pnpm', ['pack', '--pack-destination', destination], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    const tarball = join(destination, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
    if (packed.code !== 0 || !existsSync(tarball))
      throw new Error(`pnpm pack of ${manifest.name} failed:\n${packed.output}`);
    tarballs.set(manifest.name, tarball);
  }
  return tarballs;
}
