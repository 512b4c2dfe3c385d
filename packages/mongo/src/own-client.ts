import { MongoClient, type MongoClientOptions } from 'mongodb';

/**
 * The client the store makes from `mongoUrl`. The driver's defaults wait 30 s to find a server
 * and never time out a socket; with those, a call would only end at the store's own deadline
 * and its connection would stay stuck. These defaults let the driver give up, with its own
 * reason, a little before the deadline (`operationTimeoutMs`, 5 s by default), and notice a
 * server that is back within two seconds even when nothing is being asked of it (express-session
 * stops calling a store between its `disconnect` and `connect` events). `mongoOptions` wins.
 */
export function ownClientOptions(operationTimeoutMs: number): MongoClientOptions {
  const giveUpMs = Math.max(100, Math.floor(operationTimeoutMs * 0.8));
  return {
    appName: 'session-stores-mongo',
    serverSelectionTimeoutMS: giveUpMs,
    connectTimeoutMS: giveUpMs,
    // Longer than one call may take, so it only cuts connections to a server that stopped answering.
    socketTimeoutMS: operationTimeoutMs * 2,
    heartbeatFrequencyMS: 2000,
  };
}

export function createOwnClient(
  mongoUrl: string,
  mongoOptions: MongoClientOptions,
  operationTimeoutMs: number,
): MongoClient {
  try {
    return new MongoClient(mongoUrl, { ...ownClientOptions(operationTimeoutMs), ...mongoOptions });
  } catch (error) {
    // A malformed connection string or option is a configuration error, reported like the others.
    throw new TypeError(
      `MongoStore: option "mongoUrl" or "mongoOptions" is not accepted by the driver: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}

/** True when the server itself answered with an error (a refusal), as opposed to an unreachable server. */
export function isServerRefusal(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'MongoServerError';
}

export const DUPLICATE_KEY = 11000;
