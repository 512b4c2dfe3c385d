import { connect } from 'node:net';
import { bareHost } from './endpoints';
import type { HostPort } from './types';

/**
 * Sends `request` over a fresh TCP connection and resolves with the bytes received once
 * `isComplete` accepts them. Rejects on connection errors, early close, or after `timeoutMs`.
 */
export function tcpExchange(
  { host, port }: HostPort,
  request: Buffer | string,
  isComplete: (received: Buffer) => boolean,
  timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: bareHost(host), port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, value?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? received);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received)) finish(undefined, received);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`${host}:${port} closed the connection before replying`)));
  });
}

/** Whether a TCP connection to the address succeeds (and is closed at once). */
export function canConnect({ host, port }: HostPort, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: bareHost(host), port });
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Memcached readiness: the text command `version` gets `VERSION x.y.z`. */
export async function memcachedAnswers(address: HostPort, timeoutMs = 1000): Promise<boolean> {
  const reply = await tcpExchange(address, 'version\r\n', (received) => received.includes('\r\n'), timeoutMs);
  return reply.toString('latin1').startsWith('VERSION ');
}

/** The pid memcached reports in `stats`, to tell our process from another server on the port. */
export async function memcachedPid(address: HostPort, timeoutMs = 1000): Promise<number | undefined> {
  const reply = await tcpExchange(
    address,
    'stats\r\n',
    (received) => received.includes('END\r\n') || received.includes('ERROR'),
    timeoutMs,
  );
  const match = /^STAT pid (\d+)\r$/m.exec(reply.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}
