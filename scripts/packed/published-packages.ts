import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The fields of a package.json the packed checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  publishConfig?: { access?: string };
  files?: string[];
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface PublishedPackage {
  /** The package's folder, absolute. */
  dir: string;
  /** The folder relative to the repository root, as `repository.directory` names it. */
  path: string;
  manifest: PackageManifest;
}

/**
 * Every workspace package that is published: each folder of packages/ and conformance/ whose
 * package.json is not private. Read from the tree rather than listed, so a new store is
 * checked the day it is added.
 */
export function publishedPackages(): PublishedPackage[] {
  const dirs = [
    ...readdirSync(join(repositoryRoot, 'packages')).map((name) => join(repositoryRoot, 'packages', name)),
    join(repositoryRoot, 'conformance'),
  ];
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      path: relative(repositoryRoot, dir),
      manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest,
    }))
    .filter(({ manifest }) => manifest.private !== true);
}
