/**
 * When each sid's expiry was last written, as far as this store instance knows, for
 * `touchAfter`. Bounded: the oldest entries go first, so memory stays flat under any number of
 * sessions. Another instance's writes are learned from `get` (expiry minus the cookie's
 * original max age), so a scaled-out app throttles correctly too.
 */
export class RecentWrites {
  private readonly writtenAt = new Map<string, number>();

  constructor(private readonly capacity = 10_000) {}

  record(sid: string, at: number): void {
    this.writtenAt.delete(sid);
    this.writtenAt.set(sid, at);
    if (this.writtenAt.size > this.capacity) {
      const oldest = this.writtenAt.keys().next().value;
      if (oldest !== undefined) this.writtenAt.delete(oldest);
    }
  }

  forget(sid: string): void {
    this.writtenAt.delete(sid);
  }

  isRecent(sid: string, now: number, windowMs: number): boolean {
    const at = this.writtenAt.get(sid);
    return at !== undefined && now - at < windowMs;
  }
}
