import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conformanceCases } from '../src/cases/index';

const conformanceDir = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = resolve(conformanceDir, '..');
const contractPath = join(conformanceDir, 'CONTRACT.md');

/** The clause numbers CONTRACT.md gives an anchor (`<a id="c12">`), in document order. */
function contractAnchors(): number[] {
  const text = readFileSync(contractPath, 'utf8');
  return [...text.matchAll(/<a id="c(\d+)"><\/a>/g)].map((match) => Number(match[1]));
}

/** Every markdown file of the repository that is ours (no dependencies, no build output). */
function markdownFiles(dir: string = repositoryRoot): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    // .tmp holds scratch copies of the repository (Stryker's sandboxes during `pnpm mutation`).
    if (name === 'node_modules' || name === 'dist' || name === '.tmp' || name.startsWith('.git')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...markdownFiles(path));
    else if (name.endsWith('.md')) found.push(path);
  }
  return found;
}

/** `[text](target)` links of a markdown file whose target is a path in the repository. */
function relativeLinks(file: string): { target: string; anchor: string | null }[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#'))
    .map((link) => {
      const [target, anchor] = link.split('#', 2) as [string, string | undefined];
      return { target, anchor: anchor ?? null };
    });
}

describe('CONTRACT.md', () => {
  it('gives every clause from 1 to 67 one anchor, #c1 to #c67, in order', () => {
    expect(contractAnchors()).toEqual(Array.from({ length: 67 }, (_, index) => index + 1));
  });

  it('has an anchor for every clause a test title cites', () => {
    const anchors = new Set(contractAnchors());
    const cited = new Set(conformanceCases.flatMap((testCase) => testCase.clauses));
    expect([...cited].filter((clause) => !anchors.has(clause))).toEqual([]);
    // Every clause is cited, too: a clause no test checks is a promise the suite does not keep.
    expect([...anchors].filter((clause) => !cited.has(clause))).toEqual([]);
  });

  it('ships with the suite', () => {
    const manifest = JSON.parse(readFileSync(join(conformanceDir, 'package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).toContain('CONTRACT.md');
  });
});

describe("the repository's documentation", () => {
  it('links only to files that exist, and to clause anchors CONTRACT.md has', () => {
    const anchors = new Set(contractAnchors().map((clause) => `c${clause}`));
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const { target, anchor } of relativeLinks(file)) {
        const path = resolve(dirname(file), decodeURIComponent(target));
        const where = `${relative(repositoryRoot, file)} -> ${target}${anchor ? `#${anchor}` : ''}`;
        if (!existsSync(path)) broken.push(where);
        else if (path === contractPath && anchor && /^c\d+$/.test(anchor) && !anchors.has(anchor)) broken.push(where);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the links it checks (the check is not vacuous)', () => {
    const readme = join(conformanceDir, 'README.md');
    expect(relativeLinks(readme)).toContainEqual({ target: 'CONTRACT.md', anchor: 'c18' });
  });
});
