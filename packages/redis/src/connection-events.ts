import type { RedisClient } from './options';

export interface ConnectionListener {
  up(): void;
  down(): void;
}

/**
 * Follows the client's real connection state: ioredis emits `ready` once a connection (or, for
 * a Cluster, the slot map) is usable, and `close`/`end` when it is lost. A single failed
 * command emits none of these, so it never turns into a store `disconnect` (clause 37).
 * Returns a function that removes the listeners again.
 */
export function followConnection(client: RedisClient, listener: ConnectionListener): () => void {
  const up = () => listener.up();
  const down = () => listener.down();
  client.on('ready', up);
  client.on('close', down);
  client.on('end', down);
  if (client.status === 'ready') listener.up();
  return () => {
    client.off('ready', up);
    client.off('close', down);
    client.off('end', down);
  };
}
