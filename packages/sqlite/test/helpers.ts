import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';

/**
 * A temporary directory for this test file's database files (real files, not :memory:, so two
 * connections or store instances can share one), removed after the file's tests.
 */
export function tempDatabaseDir(): { path(name?: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { path: (name = `${randomUUID()}.db`) => join(dir, name) };
}

export const sid = (): string => `sid-${randomUUID()}`;

/** A session as express-session hands it to `set`, expiring `ms` from now. */
export function session(
  ms: number,
  data: Record<string, unknown> = {},
): Record<string, unknown> & { cookie: { expires: string; originalMaxAge: number; httpOnly: boolean; path: string } } {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString(), httpOnly: true, path: '/' },
    ...data,
  };
}

/** Polls `condition` until it holds or the deadline passes. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
