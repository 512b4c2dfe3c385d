/**
 * Runs a prune now and then. Each delay is the interval with a random jitter (±`jitter` of it),
 * so several app instances sharing one database drift apart instead of pruning in lockstep. The
 * next run is scheduled only once the previous one ended, so runs never overlap, and the timer
 * is unref'd: it never keeps a process alive.
 */
export class PruneTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * @param run the prune; its failure goes to `onFailure`, and the next run is scheduled anyway.
   * @param onFailure called for a failed run while the timer is not stopped. Must not throw.
   */
  constructor(
    private readonly intervalMs: number,
    private readonly jitter: number,
    private readonly run: () => Promise<unknown>,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The delay before the next run, in ms: the interval within ±jitter, at least 1. */
  nextDelayMs(random: number = Math.random()): number {
    return Math.max(1, Math.round(this.intervalMs * (1 - this.jitter + 2 * this.jitter * random)));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      let running: Promise<unknown>;
      try {
        running = this.run();
      } catch (error) {
        running = Promise.reject(error);
      }
      running
        .catch((error: unknown) => {
          if (!this.stopped) this.onFailure(error);
        })
        .finally(() => this.schedule());
    }, this.nextDelayMs());
    this.timer.unref();
  }
}
