import type { RedisDriver } from './driver';

/** How often waiting calls look at the client again: only while some call waits. */
const POLL_MS = 10;

/**
 * Holds calls back while the client is not ready (before its first connection, during a
 * reconnect), so that a command is handed to the client only when it goes out at once. A call
 * waits until the client is ready or its deadline passes, whichever comes first; one whose
 * deadline has passed is never sent later (a client's own offline queue would send it on
 * reconnect, after its caller was told it failed). At most `maxWaiting` calls wait at once:
 * more fail at once, so an outage under load holds bounded memory.
 */
export class ReadyGate {
  private readonly waiting = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: RedisDriver,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves when a command may be sent; rejects when `deadline` (epoch ms) passes first or the client cannot be used. */
  wait(deadline: number): Promise<void> {
    const reason = this.driver.unusable();
    if (reason !== null) return Promise.reject(new Error(reason));
    if (this.driver.isReady()) return Promise.resolve();
    if (this.waiting.size >= this.maxWaiting)
      return Promise.reject(new Error(`Redis is not connected, and ${this.maxWaiting} calls already wait for it`));
    return new Promise((resolve, reject) => {
      this.waiting.add({ deadline, resolve, reject });
      this.timer ??= setInterval(() => this.poll(), POLL_MS).unref();
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
      waiter.reject(new Error(reason ?? 'Redis did not become ready before the deadline'));
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

interface Waiter {
  deadline: number;
  resolve(): void;
  reject(error: Error): void;
}
