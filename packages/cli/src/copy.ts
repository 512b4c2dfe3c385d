import { cookieExpiresAt, type SessionEntry } from '@session-stores/core';
import type { CopyableStore } from './open-store';

export interface CopyOptions {
  /** Sessions read from the source, then checked and written to the target, at a time. Default 500. */
  pageSize?: number;
  /** Called after each page with the counts so far; the copy waits for a promise it returns. */
  onPage?: (counts: CopyCounts) => void | Promise<void>;
}

export interface CopyCounts {
  /** Live sessions read from the source. */
  read: number;
  /** Written to the target. */
  copied: number;
  /** Left alone: the target already holds the sid with the same or a later expiry. */
  skippedNewer: number;
  /** Expired between the read and the write, so not written. */
  expired: number;
}

export interface CopyResult extends CopyCounts {
  /** Every sid the target should now hold (copied or already newer there), with its expiry (ms, or null if unknown). */
  expected: Map<string, number | null>;
}

export const DEFAULT_COPY_PAGE_SIZE = 500;

/**
 * Copies every live session of `source` into `target`, keeping each one's remaining lifetime:
 * the source's `iterate()` gives each session with `cookie.expires` set to its real expiry in
 * the backend, and the target's `set` writes that expiry.
 *
 * Later writes win. The expiry moves forward on every write and touch, so it tells which copy
 * is newer: a sid whose target copy expires at the same time or later is left alone (the app
 * already wrote it there, or an earlier run copied it). That makes a rerun after an
 * interruption copy only what is missing. The check and the write are two calls, so a write by
 * the app in the milliseconds between them can still be replaced by the older copy; run the
 * copy before the app writes to the target, or rerun it, to close that window.
 */
export async function copySessions(
  source: CopyableStore,
  target: CopyableStore,
  options: CopyOptions = {},
): Promise<CopyResult> {
  if (typeof source.iterate !== 'function')
    throw new Error('the source store cannot list its sessions (it has no iterate()), so it cannot be copied from');
  const pageSize = options.pageSize ?? DEFAULT_COPY_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new TypeError(`pageSize must be a positive integer, got ${pageSize}`);
  const result: CopyResult = { read: 0, copied: 0, skippedNewer: 0, expired: 0, expected: new Map() };
  let page: SessionEntry[] = [];
  for await (const entry of source.iterate()) {
    page.push(entry);
    if (page.length < pageSize) continue;
    await copyPage(page, target, result);
    await options.onPage?.(countsOf(result));
    page = [];
  }
  if (page.length > 0) {
    await copyPage(page, target, result);
    await options.onPage?.(countsOf(result));
  }
  return result;
}

/** One page: the target's copies read together, then the writes that are due made together. */
async function copyPage(page: SessionEntry[], target: CopyableStore, result: CopyResult): Promise<void> {
  result.read += page.length;
  const existing = await Promise.all(page.map(({ sid }) => target.get(sid)));
  const now = Date.now();
  const writes: Promise<void>[] = [];
  page.forEach(({ sid, session }, index) => {
    const expiresAt = cookieExpiresAt(session);
    const there = existing[index];
    if (there && isAsNew(cookieExpiresAt(there), expiresAt)) {
      result.skippedNewer += 1;
      result.expected.set(sid, cookieExpiresAt(there));
      return;
    }
    if (expiresAt !== null && expiresAt <= now) {
      // Writing it would delete the target's copy (set of an expired session removes it): leave it.
      result.expired += 1;
      return;
    }
    writes.push(target.set(sid, session));
    result.copied += 1;
    result.expected.set(sid, expiresAt);
  });
  await Promise.all(writes);
}

/**
 * Whether the target's copy is at least as new as the source's. An unknown expiry (memcached
 * cannot say) cannot be compared: a copy already there is then kept, as the safer choice.
 */
function isAsNew(targetExpiresAt: number | null, sourceExpiresAt: number | null): boolean {
  if (targetExpiresAt === null || sourceExpiresAt === null) return true;
  return targetExpiresAt >= sourceExpiresAt;
}

function countsOf({ read, copied, skippedNewer, expired }: CopyCounts): CopyCounts {
  return { read, copied, skippedNewer, expired };
}
