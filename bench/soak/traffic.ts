import type { AppProcess } from './app-process';
import { newClients, nextAction, observe, ROUTES, type Loss, type SoakClient } from './clients';

/** One answered (or unanswered) request. `status` 0: no answer (refused, reset, timed out). */
export interface RequestRecord {
  at: number;
  ms: number;
  status: number;
  /** For a failed request: the app's error message, or why no answer came. */
  error?: string;
}

export interface TrafficOptions {
  users: number;
  concurrency: number;
  /** A request still unanswered after this long is abandoned and counted as hanging. */
  requestTimeoutMs: number;
}

/** Deterministic randomness, so that two runs send the same mix. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function cookieOf(response: Response): string | null {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';', 1)[0];
    if (pair?.startsWith('connect.sid=')) return pair;
  }
  return null;
}

/**
 * Users with cookie jars hitting the apps until `stop()`: each request goes to a random app, so
 * with two apps a cookie bounces between them. Records every request and every loss.
 */
export class Traffic {
  readonly requests: RequestRecord[] = [];
  readonly losses: Loss[] = [];
  private readonly clients: SoakClient[];
  private readonly random = seeded(20261202);
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly apps: readonly AppProcess[],
    private readonly options: TrafficOptions,
  ) {
    this.clients = newClients(options.users);
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private pickIdleClient(): SoakClient {
    for (;;) {
      const client = this.clients[Math.floor(this.random() * this.clients.length)]!;
      if (!client.busy) return client;
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const client = this.pickIdleClient();
      client.busy = true;
      try {
        await this.request(client);
      } finally {
        client.busy = false;
      }
    }
  }

  private async request(client: SoakClient): Promise<void> {
    const app = this.apps[Math.floor(this.random() * this.apps.length)]!;
    if (app.port === 0) {
      // The app is restarting after a crash: wait instead of spinning.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return;
    }
    const action = nextAction(client, this.random);
    const route = ROUTES[action];
    const query = action === 'login' ? `?user=user-${client.id % 100}` : '';
    const at = Date.now();
    let status = 0;
    let body: { counter?: number; error?: string } = {};
    let error: string | undefined;
    let cookie: string | null = null;
    try {
      const response = await fetch(`http://127.0.0.1:${app.port}${route.path}${query}`, {
        method: route.method,
        headers: client.cookie ? { cookie: client.cookie } : {},
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      status = response.status;
      cookie = cookieOf(response);
      body = (await response.json()) as typeof body;
    } catch (failure) {
      status = 0;
      error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    }
    const now = Date.now();
    if (status >= 500) error = body.error ?? `status ${status}`;
    this.requests.push(error === undefined ? { at, ms: now - at, status } : { at, ms: now - at, status, error });
    const loss = observe(client, action, status, body, cookie, now);
    if (loss) this.losses.push(loss);
    // A failure answers at once while the backend is down; a user waits before trying again,
    // and without a pause the failures of a few milliseconds would swamp the figures.
    if (status === 0 || status >= 500) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
