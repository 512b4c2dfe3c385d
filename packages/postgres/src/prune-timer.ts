/**
 * Runs the background prune at a jittered interval (50% to 150% of it, as connect-pg-simple),
 * so that instances started together drift apart. The timer is unref'd: it never keeps a
 * process alive. A run that is still going when the next is due is not doubled.
 */
export class PruneTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly prune: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = Math.ceil(this.intervalMs * (0.5 + Math.random()));
    this.timer = setTimeout(() => {
      this.prune()
        .catch((error: unknown) => {
          if (!this.stopped) this.onError(error);
        })
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
