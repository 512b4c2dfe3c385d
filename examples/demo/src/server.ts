import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { storeFromEnv } from './store-from-env';

// The demo's fixed fallback secret keeps sessions valid across restarts on a developer's
// machine; anything real must set SESSION_SECRET.
const DEV_SECRET = 'session-stores demo secret: set SESSION_SECRET';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const secret = process.env.SESSION_SECRET || DEV_SECRET;
  if (secret === DEV_SECRET)
    console.warn('SESSION_SECRET is not set: using the demo secret (fine on your machine, never in production).');

  const { store, label, kind } = await storeFromEnv();
  const app = createApp({ store, secret, storeLabel: label, storeKind: kind });
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`Demo listening on http://${shown}:${address.port}/ with sessions in ${label}`);

  const stop = (signal: string) => {
    console.log(`${signal}: closing`);
    server.close();
    server.closeAllConnections();
    Promise.resolve(store.close?.())
      .catch((error: unknown) => console.error('closing the store failed:', error))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`The demo could not start: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
});
