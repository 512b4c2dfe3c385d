import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Express } from 'express';
import { expect } from 'vitest';
import { listenOnLoopback } from './loopback-server';

/** A package README's code, for a test that runs it as written (only addresses, file names and the port swapped). */
export interface ReadmeCode {
  /** The README's whole text. */
  text: string;
  /** The bodies of the README's fenced blocks in `lang`, in order. */
  blocks(lang: string): string[];
  /** The one block in `lang` that contains `marker` (exactly one must). */
  block(lang: string, marker: string): string;
  /**
   * Imports `code` as a module from a scratch file beside the test, inside the package (so the
   * example's imports, express and the driver, resolve as in an app), removed again once loaded.
   */
  runModule(name: string, code: string): Promise<Record<string, unknown>>;
}

/** The README of the package whose test file is at `testFileUrl` (the test's `import.meta.url`, in `<package>/test/`). */
export function readmeCode(testFileUrl: string): ReadmeCode {
  const text = readFileSync(fileURLToPath(new URL('../README.md', testFileUrl)), 'utf8');
  const blocks = (lang: string) =>
    [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
  return {
    text,
    blocks,
    block(lang, marker) {
      const found = blocks(lang).filter((code) => code.includes(marker));
      expect(found, `one ${lang} block of the README containing ${marker}`).toHaveLength(1);
      return found[0]!;
    },
    async runModule(name, code) {
      const scratch = fileURLToPath(new URL(`./.tmp/${process.pid}/`, testFileUrl));
      mkdirSync(scratch, { recursive: true });
      const path = `${scratch}${name}.ts`;
      writeFileSync(path, code);
      try {
        return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
      } finally {
        rmSync(scratch, { recursive: true, force: true });
        try {
          rmdirSync(fileURLToPath(new URL('./.tmp/', testFileUrl)));
        } catch {
          // Another test file of the package is using it.
        }
      }
    },
  };
}

/** `code` with `from` replaced by `to`; fails the test when the README no longer says `from`. */
export function swap(code: string, from: string, to: string): string {
  expect(code).toContain(from);
  return code.replace(from, to);
}

/**
 * Serves a README usage example's `app` on loopback and checks it counts one visitor's visits
 * (`views: 1`, then `views: 2` with the session cookie); `then` gets that cookie for the
 * package's own checks. The server is closed whatever happens.
 */
export async function expectVisitCounter(app: Express, then?: (cookie: string) => Promise<void>): Promise<void> {
  const server = await listenOnLoopback(app);
  try {
    const first = await fetch(`${server.url}/`);
    expect(await first.text()).toBe('views: 1');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const second = await fetch(`${server.url}/`, { headers: { cookie } });
    expect(await second.text()).toBe('views: 2');
    await then?.(cookie);
  } finally {
    await server.close();
  }
}
