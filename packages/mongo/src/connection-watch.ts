import type { MongoClient, TopologyDescription, TopologyDescriptionChangedEvent } from 'mongodb';

/** Server types that accept writes: where sessions can be saved. */
const WRITABLE = new Set(['Standalone', 'RSPrimary', 'Mongos', 'LoadBalancer']);

export interface ConnectionListener {
  /** A writable server is known again (after start-up, or after losing it). */
  up(): void;
  /** No writable server is known any more (the server died, or a replica set lost its primary). */
  down(): void;
}

/**
 * Follows the driver's view of the deployment (SDAM `topologyDescriptionChanged`, fed by its
 * heartbeats and by network errors) and reports when sessions become writable or stop being
 * so. A failed command that is not a connection loss changes no server description, so it
 * never reports `down` (CONTRACT clause 37).
 */
export class ConnectionWatch {
  private writable = false;
  private readonly onChange = (event: TopologyDescriptionChangedEvent): void => {
    const writable = hasWritableServer(event.newDescription);
    if (writable === this.writable) return;
    this.writable = writable;
    if (writable) this.listener.up();
    else this.listener.down();
  };

  constructor(
    private readonly client: MongoClient,
    private readonly listener: ConnectionListener,
  ) {
    client.on('topologyDescriptionChanged', this.onChange);
  }

  /** Stops listening; the client may be someone else's and live on. */
  stop(): void {
    this.client.off('topologyDescriptionChanged', this.onChange);
  }
}

function hasWritableServer(description: TopologyDescription): boolean {
  for (const server of description.servers.values()) if (WRITABLE.has(server.type)) return true;
  return false;
}
