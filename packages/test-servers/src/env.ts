import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BackendName, Provider } from './types';

// Environment variables are read on every call, not at import, so a test can change them.

const PROVIDERS: readonly Provider[] = ['url', 'container', 'local'];

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** The variable that forces a provider for one backend: `SESSION_STORES_PROVIDER_REDIS_CLUSTER`, ... */
export function providerVariable(backend: BackendName): string {
  return `SESSION_STORES_PROVIDER_${backend.toUpperCase().replaceAll('-', '_')}`;
}

function providerFrom(variable: string): Provider | undefined {
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw new TypeError(`${variable} must be one of ${PROVIDERS.join(', ')}; got "${value}"`);
  }
  return value as Provider;
}

/**
 * The provider forced for a backend: `SESSION_STORES_PROVIDER_<BACKEND>` (so CI can run, say,
 * Redis in a container and Redis Cluster locally), else `SESSION_STORES_PROVIDER`, if any.
 */
export function forcedProvider(backend?: BackendName): Provider | undefined {
  return (
    (backend === undefined ? undefined : providerFrom(providerVariable(backend))) ??
    providerFrom('SESSION_STORES_PROVIDER')
  );
}

/** Strict mode (CI, or SESSION_STORES_STRICT=1): a backend that cannot be started fails the run. */
export function isStrictMode(): boolean {
  return truthy(process.env.CI) || truthy(process.env.SESSION_STORES_STRICT);
}

/** `SESSION_STORES_ALLOW_REMOTE=1` lets URLs and container hosts name a non-loopback host. */
export function remoteAllowed(): boolean {
  return process.env.SESSION_STORES_ALLOW_REMOTE === '1';
}

/** Where scripts/install-test-servers.sh caches what it builds (FerretDB). */
export function cacheDir(): string {
  const configured = process.env.SESSION_STORES_CACHE;
  return configured !== undefined && configured !== '' ? configured : join(homedir(), '.cache', 'session-stores');
}

/** Deadline for one server to answer after it is started (`SESSION_STORES_START_TIMEOUT_MS`, default 60 s). */
export function startTimeoutMs(): number {
  const configured = Number(process.env.SESSION_STORES_START_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 60_000;
}

/** An environment variable, or undefined when unset or empty. */
export function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
