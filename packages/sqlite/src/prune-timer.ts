/**
 * Runs a prune now and then: each delay is the interval ±25%, so several app instances sharing
 * one database file drift apart instead of pruning in lockstep. The timer is unref'd (it never
 * keeps a process alive) and the next run is scheduled only after the previous one ended, so
 * runs never overlap.
 */
export class PruneTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<unknown>,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = Math.max(1, Math.round(this.intervalMs * (0.75 + Math.random() * 0.5)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // run() reports its own failures; whatever happens, the next run is scheduled.
      this.run().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, delay);
    this.timer.unref();
  }
}
