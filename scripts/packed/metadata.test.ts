import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, repositoryRoot, type PackageManifest } from './published-packages';

const rootManifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as PackageManifest;
const license = readFileSync(join(repositoryRoot, 'LICENSE'), 'utf8');
const packages = publishedPackages();

describe('published package metadata', () => {
  it('covers the six stores and the suite at least', () => {
    const names = packages.map(({ manifest }) => manifest.name);
    for (const name of ['core', 'redis', 'postgres', 'mongo', 'sqlite', 'memcached', 'conformance'])
      expect(names).toContain(`@session-stores/${name}`);
  });

  it('the repository is MIT licensed, with the text at its root', () => {
    expect(rootManifest.license).toBe('MIT');
    expect(license).toMatch(/^MIT License\n/);
  });

  describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (_name, { dir, path, manifest }) => {
    it('ships the MIT LICENSE of the repository', () => {
      expect(manifest.license).toBe('MIT');
      expect(existsSync(join(dir, 'LICENSE'))).toBe(true);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
      expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
    });

    it('names its repository folder, homepage, issue tracker and keywords', () => {
      expect(manifest.repository).toEqual({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\//),
        directory: path,
      });
      expect(manifest.homepage).toMatch(new RegExp(`^https://.*/${path}#readme$`));
      expect(manifest.bugs?.url).toMatch(/^https:\/\/.*\/issues$/);
      expect(manifest.keywords).toEqual(expect.arrayContaining(['express-session']));
    });

    it('publishes with public access, which a scoped package needs', () => {
      expect(manifest.publishConfig).toEqual({ access: 'public' });
    });

    it('exports its package.json and a types condition for every entry', () => {
      const exported = manifest.exports ?? {};
      expect(exported['./package.json']).toBe('./package.json');
      for (const [entry, target] of Object.entries(exported)) {
        if (entry === './package.json') continue;
        expect(JSON.stringify(target), entry).toContain('"types"');
      }
    });
  });
});
