import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';
import { connect } from 'node:net';
import { backendForTests, type HarnessServer } from '@session-stores/test-servers';
import { afterEach, expect } from 'vitest';
import { MemcachedStore, type MemcachedStoreOptions } from '../src';

export const DAY_MS = 86_400_000;

/** A session as express-session passes it (JSON form), expiring `ms` from now. */
export function sessionExpiringIn(ms: number, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString(), httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

/** A browser-session cookie: no expiry of its own, so the store's default TTL applies. */
export function browserSession(extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

export function randomSid(): string {
  return randomBytes(18).toString('base64url');
}

/** A fresh prefix per test, so tests never see each other's sessions. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}:`;
}

/** Polls `check` until it returns true or the deadline passes; returns the last result. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Sends one text-protocol command to a memcached server on a fresh connection and resolves
 * with the reply once `done` accepts it (default: a reply ending in a line the command ends with).
 */
export function textCommand(
  endpoint: Endpoint,
  command: string,
  done: (reply: string) => boolean = endsWithStatusLine,
  timeoutMs = 2000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    let reply = '';
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply to "${command.split('\r\n')[0]}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (done(reply)) finish();
    });
    socket.once('error', (error) => finish(error));
  });
}

function endsWithStatusLine(reply: string): boolean {
  return /(?:^|\r\n)(?:END|STORED|NOT_STORED|DELETED|NOT_FOUND|HD[^\r]*|EN|ERROR[^\r]*|CLIENT_ERROR[^\r]*|SERVER_ERROR[^\r]*|OK)\r\n$/.test(
    reply,
  );
}

/**
 * Writes `count` small items under `prefix` in one pipelined text-protocol request (quiet sets,
 * then a meta no-op whose `MN` marks the end): enough keys for a dump that outgrows socket buffers.
 */
export async function rawFill(endpoint: Endpoint, prefix: string, count: number, ttlSeconds: number): Promise<void> {
  const sets = Array.from({ length: count }, (_, index) => `set ${prefix}${index} 0 ${ttlSeconds} 1 noreply\r\nx\r\n`);
  await textCommand(endpoint, `${sets.join('')}mn`, (reply) => reply.endsWith('MN\r\n'), 10_000);
}

/** Every key a server holds with its absolute expiry (Unix seconds, -1 for none), through metadump. */
export async function dumpKeys(endpoint: Endpoint): Promise<Map<string, number>> {
  // Dump lines end in a bare \n; the final END in \r\n.
  const reply = await textCommand(
    endpoint,
    'lru_crawler metadump hash',
    (text) => /(?:^|\n)END\r\n$/.test(text) || text.startsWith('BUSY') || text.startsWith('ERROR'),
  );
  if (!reply.endsWith('END\r\n')) throw new Error(`metadump failed: ${reply}`);
  const keys = new Map<string, number>();
  for (const line of reply.split(/\r?\n/)) {
    const match = /^key=(\S+) exp=(-?\d+)/.exec(line);
    if (match) keys.set(decodeURIComponent(match[1]!), Number(match[2]));
  }
  return keys;
}

/** The remaining lifetime of `key` in seconds as the server sees it (meta get `t` flag): -1 for none, null when absent. */
export async function remainingSeconds(endpoint: Endpoint, key: string): Promise<number | null> {
  const reply = await textCommand(endpoint, `mg ${key} t`);
  if (reply.startsWith('EN')) return null;
  const match = /^HD t(-?\d+)/.exec(reply);
  if (!match) throw new Error(`unexpected mg reply: ${reply}`);
  return Number(match[1]);
}

/** Stores raw bytes at `key` with the text protocol. */
export async function rawSet(endpoint: Endpoint, key: string, value: string, flags = 0, exptime = 60): Promise<void> {
  const reply = await textCommand(endpoint, `set ${key} ${flags} ${exptime} ${Buffer.byteLength(value)}\r\n${value}`);
  if (!reply.startsWith('STORED')) throw new Error(`set ${key} failed: ${reply}`);
}

/** The raw value at `key`, or null. */
export async function rawGet(endpoint: Endpoint, key: string): Promise<{ value: string; flags: number } | null> {
  const reply = await textCommand(endpoint, `mg ${key} v f`, (text) => {
    if (text === 'EN\r\n') return true;
    const header = /^VA (\d+) [^\r]*\r\n/.exec(text);
    // latin1: one character per byte.
    return header !== null && text.length >= header[0].length + Number(header[1]) + 2;
  });
  if (reply.startsWith('EN')) return null;
  const match = /^VA (\d+) f(\d+)\r\n/.exec(reply);
  if (!match) throw new Error(`unexpected mg reply: ${reply}`);
  const bytes = Buffer.from(reply.slice(match[0].length), 'latin1').subarray(0, Number(match[1]));
  return { value: bytes.toString('utf8'), flags: Number(match[2]) };
}

/**
 * Stores on `server`, each with a fresh prefix so tests never see each other's sessions,
 * closed after each test of the file that calls this.
 */
export function storeMaker(server: HarnessServer | null): (options?: Partial<MemcachedStoreOptions>) => MemcachedStore {
  const stores: MemcachedStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  return (options = {}) => {
    const store = new MemcachedStore({
      servers: server!.url,
      prefix: randomPrefix(),
      ...options,
    } as MemcachedStoreOptions);
    stores.push(store);
    return store;
  };
}

/**
 * A remaining lifetime as memcached reports it (`mg t`), against the seconds asked for: the
 * store adds up to two (rounding up, clock margin), and memcached's once-a-second counter and
 * its conversion of absolute times move it by a second or two either way.
 */
export function expectAbout(remaining: number | null, seconds: number): void {
  expect(remaining).not.toBeNull();
  expect(remaining! - seconds).toBeGreaterThanOrEqual(-1);
  expect(remaining! - seconds).toBeLessThanOrEqual(4);
}

/**
 * The memcached server of a test file (null when none can be had here: the file's tests are
 * skipped with the reason), its first endpoint, and a store maker on it.
 */
export async function testServer() {
  const server = await backendForTests('memcached');
  return { server, endpoint: server?.nodes[0] ?? { host: '127.0.0.1', port: 0 }, makeStore: storeMaker(server) };
}
