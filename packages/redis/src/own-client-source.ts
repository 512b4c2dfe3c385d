/** Longest wait between two reconnection attempts: recovery within a second of Redis coming back. */
export const MAX_RECONNECT_DELAY_MS = 1000;
/** Longest wait for one TCP connection (and handshake) attempt. */
export const MAX_CONNECT_TIMEOUT_MS = 2000;

/** A Redis node as the options name it: `"host:port"`, a port, or `{ host, port }`. */
export type NodeAddress = string | number | { host?: string; port?: number };

/** How the store makes its own client, resolved from the options (see options.ts). */
export type OwnClientSource =
  | { kind: 'url'; url: string; clientOptions: object }
  | {
      kind: 'sentinel';
      sentinels: Array<{ host?: string; port?: number }>;
      name: string;
      clientOptions: object;
    }
  | { kind: 'cluster'; nodes: NodeAddress[]; clusterOptions: Record<string, unknown>; clientOptions: object };
