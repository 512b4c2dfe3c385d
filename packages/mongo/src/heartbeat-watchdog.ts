import type {
  MongoClient,
  ServerHeartbeatFailedEvent,
  ServerHeartbeatStartedEvent,
  ServerHeartbeatSucceededEvent,
} from 'mongodb';

/** Margin on top of the longest check the driver may legitimately run. */
const SLACK_MS = 2000;

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
  private readonly timer: NodeJS.Timeout;
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
    this.timer = setInterval(() => this.check(), Math.min(1000, this.limitMs));
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
    for (const [address, since] of this.inFlight) {
      if (now - since <= this.limitMs) continue;
      this.inFlight.delete(address);
      this.onStuck(address, now - since);
    }
  }
}
