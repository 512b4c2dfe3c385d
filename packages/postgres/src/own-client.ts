import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';

/**
 * Makes the pool of a store that owns it. Defaults bound every call while the database is
 * down or stuck (clause 32), each filled in only where the user's config leaves it unset:
 * - `connectionTimeoutMillis`: a connect attempt (or a wait for a free connection) gives up;
 *   pg's own default waits forever.
 * - `statement_timeout`: the server cancels a statement that runs too long.
 * - `query_timeout`: the client gives up on a server that stopped answering (a frozen host),
 *   a little after the server-side limit so that the server's clearer error usually wins.
 * - `allowExitOnIdle`: idle connections never keep the process alive.
 */
export function createOwnClient(config: PoolConfig, operationTimeoutMs: number): Pool {
  return new pg.Pool({
    connectionTimeoutMillis: operationTimeoutMs,
    statement_timeout: operationTimeoutMs,
    query_timeout: operationTimeoutMs + 1000,
    keepAlive: true,
    allowExitOnIdle: true,
    ...withoutUndefined(config),
  });
}

function withoutUndefined(config: PoolConfig): PoolConfig {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)) as PoolConfig;
}
