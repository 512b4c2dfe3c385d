import { connect } from 'node:net';
import type { Server } from 'memjs';
import type { TransportListener } from './binary-protocol';

/**
 * Derives the store's `connect` and `disconnect` events from what the servers do, since memjs
 * emits no connection events of its own (CONTRACT clause 37).
 *
 * - A command that fails at the transport level (refused, reset, timed out) does not by itself
 *   mark its server down: a probe (a fresh connection and a binary VERSION request) decides.
 *   A single failed command on a live server therefore emits nothing.
 * - The store is disconnected only when every server is down: express-session stops loading
 *   every session on `disconnect`, which would be wrong while the other servers still serve
 *   theirs. Sessions of a down server fail fast meanwhile (memjs's own timeouts).
 * - A down server is probed again every `probeIntervalMs`, so the store reports `connect` when
 *   a server comes back even with no traffic; any answered command also marks its server up.
 */
export class ConnectionWatch implements TransportListener {
  private readonly state = new Map<Server, 'up' | 'checking' | 'down'>();
  private readonly retryTimers = new Map<Server, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly servers: readonly Server[],
    private readonly options: { probeTimeoutMs: number; probeIntervalMs: number },
    private readonly events: { up(): void; allDown(): void },
  ) {}

  answered(server: Server): void {
    if (this.closed) return;
    this.cancelRetry(server);
    this.state.set(server, 'up');
    this.events.up();
  }

  unreachable(server: Server): void {
    if (this.closed) return;
    const current = this.state.get(server);
    if (current === 'checking' || current === 'down') return;
    this.state.set(server, 'checking');
    this.check(server);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private check(server: Server): void {
    probe(server.host, server.port, this.options.probeTimeoutMs).then(
      () => this.answered(server),
      () => this.markDown(server),
    );
  }

  private markDown(server: Server): void {
    if (this.closed || this.state.get(server) === 'up') return;
    this.state.set(server, 'down');
    if (this.servers.every((each) => this.state.get(each) === 'down')) this.events.allDown();
    this.cancelRetry(server);
    const timer = setTimeout(() => {
      this.retryTimers.delete(server);
      if (!this.closed && this.state.get(server) === 'down') this.check(server);
    }, this.options.probeIntervalMs);
    timer.unref();
    this.retryTimers.set(server, timer);
  }

  private cancelRetry(server: Server): void {
    const timer = this.retryTimers.get(server);
    if (timer) {
      clearTimeout(timer);
      this.retryTimers.delete(server);
    }
  }
}

const VERSION_OPCODE = 0x0b;

/**
 * Resolves when the server answers a binary VERSION request on a new connection. Any answer
 * counts (a SASL server answers "auth required"): the question is only whether it is reachable.
 */
export function probe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = Buffer.alloc(24);
    request.writeUInt8(0x80, 0);
    request.writeUInt8(VERSION_OPCODE, 1);
    const socket = connect({ host, port });
    let received = 0;
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', finish);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 24) finish();
    });
    socket.on('close', () => finish(new Error('connection closed')));
  });
}
