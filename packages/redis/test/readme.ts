import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';

/** The README's code, run as written: only addresses (and the listening port) are swapped. */
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The ```ts block of the README that contains `marker` (exactly one must). */
export function readmeBlock(marker: string): string {
  const found = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((code) => code.includes(marker));
  expect(found, `one ts block of the README containing ${marker}`).toHaveLength(1);
  return found[0]!;
}

export function swap(code: string, from: string, to: string): string {
  expect(code).toContain(from);
  return code.replace(from, to);
}

/**
 * Imports `code` as a module from a scratch file inside the package (so its imports resolve as
 * in an app), removed again once loaded.
 */
export async function runModule(name: string, code: string): Promise<Record<string, unknown>> {
  const scratch = fileURLToPath(new URL(`./.tmp/${process.pid}/`, import.meta.url));
  mkdirSync(scratch, { recursive: true });
  const path = `${scratch}${name}.ts`;
  writeFileSync(path, code);
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    try {
      rmdirSync(fileURLToPath(new URL('./.tmp/', import.meta.url)));
    } catch {
      // Another test file is using it.
    }
  }
}
