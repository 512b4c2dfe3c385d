import type { MongoClient } from 'mongodb';

const noop = (): void => {};

/**
 * Keeps the client the store made connected. When a client's first connection fails, the
 * driver closes it and then fails every later call with "Topology is closed", never trying
 * again: an app started while MongoDB was down would stay broken after MongoDB came back.
 * So the store connects its own client again: at once when a call needs it, and in the
 * background every `retryMs` while idle, so that `connect` is emitted even when nothing calls
 * (express-session stops calling a store between `disconnect` and `connect`).
 *
 * Once connected, the driver itself reconnects after any outage; nothing more is needed.
 * A client someone else made is never touched: the store cannot tell a failed first connection
 * from its owner closing it.
 */
export class OwnedConnection {
  private state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle';
  private attempt: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly client: MongoClient,
    private readonly retryMs: number,
  ) {}

  /** Resolves when calls can go to the driver; rejects with the driver's reason when a connection attempt fails. */
  ready(): Promise<void> {
    if (this.state === 'connected' || this.state === 'closed') return Promise.resolve();
    if (this.state === 'idle') this.connect();
    return this.attempt;
  }

  /**
   * Closes the client and connects it again, for when the driver's monitor is stuck (see
   * HeartbeatWatchdog). Calls wait for the new connection like for the first one.
   */
  reconnect(): void {
    if (this.state === 'closed' || this.state === 'connecting') return;
    this.connect(async () => {
      await this.client.close().catch(noop);
      await this.client.connect();
    });
  }

  async close(): Promise<void> {
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.client.close();
  }

  private connect(run: () => Promise<unknown> = () => this.client.connect()): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.state = 'connecting';
    this.attempt = run().then(
      () => {
        if (this.state === 'connecting') this.state = 'connected';
      },
      (error: unknown) => {
        if (this.state === 'connecting') {
          this.state = 'idle';
          this.retryTimer = setTimeout(() => this.ready().catch(noop), this.retryMs);
          // Retrying alone must not keep the process alive.
          this.retryTimer.unref();
        }
        throw error;
      },
    );
    this.attempt.catch(noop);
  }
}
