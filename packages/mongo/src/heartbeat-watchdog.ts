import type {
  MongoClient,
  ServerHeartbeatFailedEvent,
  ServerHeartbeatStartedEvent,
  ServerHeartbeatSucceededEvent,
} from 'mongodb';

/** Margin on top of the longest check the driver may legitimately run. */
const SLACK_MS = 2000;
/** How late a check may run before the watchdog takes it that the event loop, not the monitor, was stuck. */
const STALL_MS = 500;

/**
 * Notices when the driver's server monitor stops working. The mongodb driver (7.9 at least)
 * can hang a heartbeat forever when the server dies: its `hello` is written to a socket that
 * Node has already destroyed but whose `close` event has not been handled yet, and it then
 * waits for a `drain` event that never comes. From then on nothing checks the server again,
 * so every call fails after serverSelectionTimeoutMS even once the server is back, and the
 * store would never emit `connect`. It happens with servers that do not stream heartbeats
 * (FerretDB; any server with `serverMonitoringMode: "poll"`).
 *
 * A heartbeat that has not ended after the longest time the driver gives one (its connect
 * timeout, plus the await time of a streamed one, plus slack) is reported once.
 */
export class HeartbeatWatchdog {
  private readonly inFlight = new Map<string, number>();
  private readonly limitMs: number;
  private readonly intervalMs: number;
  private readonly timer: NodeJS.Timeout;
  private lastCheckAt = Date.now();
  private readonly onStarted = (event: ServerHeartbeatStartedEvent): void => {
    this.inFlight.set(event.connectionId, Date.now());
  };
  private readonly onEnded = (event: ServerHeartbeatSucceededEvent | ServerHeartbeatFailedEvent): void => {
    this.inFlight.delete(event.connectionId);
  };
  private readonly onClosed = (): void => this.inFlight.clear();

  constructor(
    private readonly client: MongoClient,
    private readonly onStuck: (address: string, elapsedMs: number) => void,
  ) {
    const { connectTimeoutMS, heartbeatFrequencyMS } = client.options;
    this.limitMs = (connectTimeoutMS || 30_000) + heartbeatFrequencyMS + SLACK_MS;
    client.on('serverHeartbeatStarted', this.onStarted);
    client.on('serverHeartbeatSucceeded', this.onEnded);
    client.on('serverHeartbeatFailed', this.onEnded);
    client.on('topologyClosed', this.onClosed);
    this.intervalMs = Math.min(1000, this.limitMs);
    this.timer = setInterval(() => this.check(), this.intervalMs);
    // Watching alone must not keep the process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.off('serverHeartbeatStarted', this.onStarted);
    this.client.off('serverHeartbeatSucceeded', this.onEnded);
    this.client.off('serverHeartbeatFailed', this.onEnded);
    this.client.off('topologyClosed', this.onClosed);
  }

  private check(): void {
    const now = Date.now();
    const stalledMs = now - this.lastCheckAt - this.intervalMs;
    this.lastCheckAt = now;
    if (stalledMs > STALL_MS) {
      // This check ran late: the event loop was blocked (a long synchronous task, a debugger, a
      // suspended VM), not the monitor. The answer to a heartbeat may be waiting, unread, in the
      // socket, since timers run before I/O is read. Each heartbeat in flight gets a full window
      // from now: reconnecting a healthy client would only make the store report disconnect.
      for (const address of this.inFlight.keys()) this.inFlight.set(address, now);
      return;
    }
    for (const [address, since] of this.inFlight) {
      if (now - since <= this.limitMs) continue;
      this.inFlight.delete(address);
      this.onStuck(address, now - since);
    }
  }
}
