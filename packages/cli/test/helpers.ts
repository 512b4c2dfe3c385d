import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { RedisStore } from '@session-stores/redis';
import { SqliteStore } from '@session-stores/sqlite';
import { backendForTests, backendTitle, type HarnessServer } from '@session-stores/test-servers';
import type { Output } from '../src/progress';
import { run } from '../src/run';

export { expiresOf, session, sid } from '../../../scripts/test-support/sessions';

export const prefix = (): string => `c${randomBytes(5).toString('hex')}:`;

export interface CopyBackends {
  redis: HarnessServer;
  /** A new SQLite file in this file's temporary folder (removed after the file). */
  sqliteFile(): string;
  /** A SqliteStore on `filename`, closed after the file. */
  sqlite(filename: string, table?: string): SqliteStore;
  /** A RedisStore on the test server with `prefix`, closed after the file. */
  redisStore(prefix: string): RedisStore;
}

/**
 * Declares `title` with a real Redis (REDIS_URL, else a local redis-server) and SQLite files,
 * or as skipped, with the reason, when Redis cannot start (an error in strict mode).
 */
export async function describeWithBackends(title: string, body: (backends: CopyBackends) => void): Promise<void> {
  const server = await backendForTests('redis');
  describe.skipIf(!server)(`${title} [${backendTitle('redis', server)}]`, () => {
    if (server) body(backendsOn(server));
  });
}

function backendsOn(redis: HarnessServer): CopyBackends {
  const dir = mkdtempSync(join(tmpdir(), 'session-stores-cli-'));
  const stores: (RedisStore | SqliteStore)[] = [];
  let files = 0;
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    redis,
    sqliteFile: () => join(dir, `sessions-${++files}.db`),
    sqlite(filename, table) {
      const store = new SqliteStore({ filename, pruneInterval: false, ...(table ? { table } : {}) });
      stores.push(store);
      return store;
    },
    redisStore(keyPrefix) {
      const store = new RedisStore({ url: redis.url, prefix: keyPrefix });
      stores.push(store);
      return store;
    },
  };
}

/** Output captured from a run of the command, as a pipe (or a terminal) would get it. */
export function capture(isTTY = false): Output & { text(): string } {
  let text = '';
  return {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

/** Runs `session-stores <argv>` in this process; resolves with its exit status and output. */
export async function runCommand(argv: string[], { tty = false } = {}) {
  const stdout = capture(tty);
  const stderr = capture();
  const code = await run(argv, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
