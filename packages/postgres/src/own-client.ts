import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';

/**
 * Makes the pool of a store that owns it. Defaults bound every call while the database is
 * down or stuck (clause 32), each filled in only where the user's config leaves it unset:
 * - `connectionTimeoutMillis`: a connect attempt (or a wait for a free connection) gives up;
 *   pg's own default waits forever.
 * - `statement_timeout`: the server cancels a statement that runs too long, a little before the
 *   store's deadline (see serverStatementLimitMs), so that a write whose caller is told it failed
 *   has been cancelled by the server, not left to land later.
 * - `query_timeout`: the client gives up on a server that stopped answering (a frozen host),
 *   a little after the server-side limit so that the server's clearer error usually wins.
 * - `allowExitOnIdle`: idle connections never keep the process alive.
 */
export function createOwnClient(config: PoolConfig, operationTimeoutMs: number): Pool {
  return new pg.Pool({
    connectionTimeoutMillis: operationTimeoutMs,
    statement_timeout: serverStatementLimitMs(operationTimeoutMs),
    query_timeout: operationTimeoutMs + 1000,
    keepAlive: true,
    allowExitOnIdle: true,
    ...withoutUndefined(config),
  });
}

/**
 * What a write keeps between the server's cancellation and the store's own deadline: the time the
 * server's error takes to reach the store (a round trip, timers firing late on a busy host).
 */
export function landingMarginMs(operationTimeoutMs: number): number {
  return Math.min(1000, Math.max(50, Math.round(operationTimeoutMs * 0.1)));
}

/**
 * The `statement_timeout` of the store's own connections: the deadline less two margins, one for
 * the server's answer to arrive and one for the wait for a free connection, so that a write sent
 * at once needs no `SET` of its own (see PostgresStore's guarded writes).
 */
export function serverStatementLimitMs(operationTimeoutMs: number): number {
  return Math.max(1, operationTimeoutMs - 2 * landingMarginMs(operationTimeoutMs));
}

function withoutUndefined(config: PoolConfig): PoolConfig {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)) as PoolConfig;
}
