import type { RedisDriver } from './driver';

/** How often waiting calls look at the client again: only while some call waits. */
const POLL_MS = 10;
/**
 * Longest wait for a client that is not ready, counted from the first call that found it so:
 * enough for a first connection or a reconnect, short enough that an outage fails calls fast
 * (a new call then fails at once) rather than holding every request for its whole deadline.
 */
export const MAX_WAIT_FOR_READY_MS = 2000;

/**
 * Holds calls back while the client is not ready (before its first connection, during a
 * reconnect), so that a command is handed to the client only when it goes out at once. A call
 * waits until the client is ready or its deadline passes, whichever comes first; one whose
 * deadline has passed is never sent later (a client's own offline queue would send it on
 * reconnect, after its caller was told it failed). Calls wait at most MAX_WAIT_FOR_READY_MS
 * from the first waiting call of an outage; at most `maxWaiting` calls wait at once: more fail
 * at once, so an outage under load holds bounded memory.
 */
export class ReadyGate {
  private readonly waiting = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  /** When the current wait began (the first call that found the client not ready), while calls wait. */
  private waitingSince = 0;

  constructor(
    private readonly driver: RedisDriver,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves when a command may be sent; rejects when `deadline` (epoch ms) passes first or the client cannot be used. */
  wait(deadline: number): Promise<void> {
    const reason = this.driver.unusable();
    if (reason !== null) return failSoon(new Error(reason));
    if (this.driver.isReady()) return Promise.resolve();
    if (this.waiting.size >= this.maxWaiting)
      return failSoon(new Error(`Redis is not connected, and ${this.maxWaiting} calls already wait for it`));
    if (this.timer === undefined) {
      this.waitingSince = Date.now();
      this.timer = setInterval(() => this.poll(), POLL_MS).unref();
    }
    const giveUp = this.waitingSince + MAX_WAIT_FOR_READY_MS;
    if (Date.now() >= giveUp) return failSoon(notReachable());
    return new Promise((resolve, reject) => {
      this.waiting.add({ deadline: Math.min(deadline, giveUp), resolve, reject });
    });
  }

  /** Fails every waiting call (the store is closing). */
  close(): void {
    this.release(() => new Error('the store is closed'));
  }

  private poll(): void {
    if (this.driver.isReady()) return this.release(null);
    const now = Date.now();
    const reason = this.driver.unusable();
    for (const waiter of this.waiting) {
      if (reason === null && waiter.deadline > now) continue;
      this.waiting.delete(waiter);
      waiter.reject(reason === null ? notReachable() : new Error(reason));
    }
    if (this.waiting.size === 0) this.stop();
  }

  private release(error: (() => Error) | null): void {
    for (const waiter of this.waiting) {
      if (error) waiter.reject(error());
      else waiter.resolve();
    }
    this.waiting.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Fails on the next turn of the event loop, not in a microtask: a caller that retries at once
 * on failure (a loop of calls) would otherwise never let the client see its connection come
 * back, nor this gate's timer run.
 */
function failSoon(error: Error): Promise<never> {
  return new Promise((_, reject) => setImmediate(() => reject(error)));
}

function notReachable(): Error {
  return new Error(`Redis is not reachable: the client has not been ready for ${MAX_WAIT_FOR_READY_MS} ms`);
}

interface Waiter {
  deadline: number;
  resolve(): void;
  reject(error: Error): void;
}
