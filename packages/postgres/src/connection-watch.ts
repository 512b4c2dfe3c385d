/**
 * Turns query outcomes into express-session's `connect` / `disconnect` events (clause 37).
 *
 * pg has no connection state of its own to listen to: a pool makes connections on demand. So:
 * - a query that succeeds means the database is up (`connect`, once per recovery);
 * - a failure that may mean the server is gone (a socket error, a terminated connection, SQLSTATE
 *   class 08 or 57P0x) is not reported as such. It starts a probe (`SELECT 1` on a fresh
 *   checkout), and only a failed probe reports `disconnect`: one broken connection or one failed
 *   command is not an outage;
 * - while down, the probe repeats on an unref'd timer. express-session sends no requests to a
 *   disconnected store, so without the probe the store would never see the database come back.
 */
export class ConnectionWatch {
  private down = false;
  private probing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  // Bumped on every disconnect: a success of a query that started before it proves nothing.
  private epoch = 0;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly onUp: () => void,
    private readonly onDown: () => void,
    private readonly retryMs: number,
  ) {}

  /** Call before a query; pass the result to {@link succeeded}. */
  begin(): number {
    return this.epoch;
  }

  succeeded(startedAt: number): void {
    if (this.stopped || startedAt !== this.epoch) return;
    this.markUp();
  }

  failed(error: unknown): void {
    if (this.stopped || !mayMeanServerGone(error)) return;
    this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private markUp(): void {
    this.down = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.onUp();
  }

  private check(): void {
    if (this.probing || this.retryTimer !== undefined) return;
    this.probing = true;
    const epoch = this.epoch;
    this.probe().then(
      () => {
        this.probing = false;
        if (!this.stopped && epoch === this.epoch) this.markUp();
      },
      () => {
        this.probing = false;
        if (this.stopped) return;
        if (!this.down) {
          this.down = true;
          this.epoch += 1;
          this.onDown();
        }
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.check();
        }, this.retryMs);
        this.retryTimer.unref();
      },
    );
  }
}

const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /Connection terminated|not queryable|connection timeout|Query read timeout/i;

/**
 * True when an error may mean the server cannot be reached; false for errors the server itself
 * answered with (a bad statement, a constraint, a statement timeout), which prove it is up.
 */
export function mayMeanServerGone(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, severity, message } = error as { code?: unknown; severity?: unknown; message?: unknown };
  if (typeof severity === 'string' && typeof code === 'string')
    return code.startsWith('08') || CONNECTION_SQLSTATES.has(code);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}
