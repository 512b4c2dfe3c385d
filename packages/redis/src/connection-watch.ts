import type { ConnectionListener, RedisDriver } from './driver';

/**
 * Follows the client's real connection through its driver (see each driver's `follow` for the
 * events) and tells the store, which emits `connect` and `disconnect`. A single failed command
 * is not a lost connection (clause 37).
 */
export class ConnectionWatch {
  private readonly stopFollowing: () => void;

  constructor(driver: RedisDriver, listener: ConnectionListener) {
    this.stopFollowing = driver.follow(listener);
  }

  /** Removes the listeners from the client. */
  close(): void {
    this.stopFollowing();
  }
}
