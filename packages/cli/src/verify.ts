import type { CopyableStore } from './open-store';

export interface Verification {
  /** Live sessions the target namespace holds now (the app's own included). */
  targetCount: number;
  /** Copied sids the target does not hold although they have not expired: a failed copy. */
  missing: string[];
  /** Copied sids gone from the target because their expiry has passed since: expected. */
  expiredSince: number;
}

/**
 * The check after a copy: lists the target namespace once (`ids()`) and looks up every sid the
 * copy wrote or found newer there. One listing rather than one `get` per sid keeps it to a few
 * round trips for any number of sessions.
 */
export async function verifyTarget(target: CopyableStore, expected: Map<string, number | null>): Promise<Verification> {
  if (typeof target.ids !== 'function')
    throw new Error('the target store cannot list its sessions (no ids()), so the copy cannot be checked');
  const held = new Set(await target.ids());
  const now = Date.now();
  const missing: string[] = [];
  let expiredSince = 0;
  for (const [sid, expiresAt] of expected) {
    if (held.has(sid)) continue;
    if (expiresAt !== null && expiresAt <= now) expiredSince += 1;
    else missing.push(sid);
  }
  return { targetCount: held.size, missing, expiredSince };
}
