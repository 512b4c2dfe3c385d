import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { textCommand, type Endpoint } from './text-command';

/** A memcached process of our own on a free loopback port, stopped and started by its pid. */
export interface LocalMemcached {
  readonly endpoint: Endpoint;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startLocalMemcached(extraArgs: string[] = []): Promise<LocalMemcached> {
  const port = await freePort();
  const endpoint = { host: '127.0.0.1', port };
  let child: ChildProcess | null = null;
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64', ...(process.getuid?.() === 0 ? ['-u', 'root'] : []), ...extraArgs];

  const start = async () => {
    if (child) return;
    const started = spawn('/usr/bin/memcached', args, { stdio: 'ignore' });
    child = started;
    started.once('exit', () => {
      if (child === started) child = null;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await textCommand(endpoint, 'version', (reply) => reply.endsWith('\r\n'), 500)).startsWith('VERSION')) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`memcached on port ${port} did not answer within 10 s`);
      await delay(20);
    }
  };

  const stop = async () => {
    const running = child;
    if (!running) return;
    child = null;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid!, 'SIGKILL');
    await exited;
  };

  await start();
  return { endpoint, url: `127.0.0.1:${port}`, start, stop, dispose: stop };
}
