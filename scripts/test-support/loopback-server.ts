import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Stops listening; resolves once the server has closed. */
  close(): Promise<void>;
}

/** Starts `app` on a free port of 127.0.0.1 (tests never listen on other interfaces). */
export async function listenOnLoopback(app: Express): Promise<LoopbackServer> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
