import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backendForTests,
  backendTitle,
  isStrictMode,
  ServerStartError,
  skipReason,
} from '@session-stores/test-servers';
import { clearForcedProviders } from './provider-env';

beforeEach(clearForcedProviders);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** No URL, no container, and a redis-server that does not exist. */
function withoutRedis(): void {
  vi.stubEnv('SESSION_STORES_PROVIDER', 'local');
  vi.stubEnv('REDIS_SERVER_BIN', '/nonexistent/redis-server');
}

describe('backendForTests when a backend is unavailable', () => {
  it('throws in strict mode (SESSION_STORES_STRICT=1)', async () => {
    withoutRedis();
    vi.stubEnv('CI', '');
    vi.stubEnv('SESSION_STORES_STRICT', '1');
    expect(isStrictMode()).toBe(true);
    await expect(backendForTests('redis')).rejects.toThrow(
      /redis is required in strict mode.*REDIS_SERVER_BIN=\/nonexistent\/redis-server is not an executable file/,
    );
  });

  it('throws in strict mode (CI=true)', async () => {
    withoutRedis();
    vi.stubEnv('CI', 'true');
    vi.stubEnv('SESSION_STORES_STRICT', '');
    await expect(backendForTests('redis')).rejects.toThrow(/strict mode/);
  });

  it('returns null and prints the reason once, outside strict mode', async () => {
    withoutRedis();
    vi.stubEnv('CI', '');
    vi.stubEnv('SESSION_STORES_STRICT', '');
    expect(isStrictMode()).toBe(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await backendForTests('redis')).toBeNull();
    expect(await backendForTests('redis')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/^\[harness\] redis skipped: .*REDIS_SERVER_BIN/);
    expect(skipReason('redis')).toMatch(/REDIS_SERVER_BIN/);
    expect(backendTitle('redis', null)).toMatch(/^redis \(skipped: .*REDIS_SERVER_BIN/);
  });

  it('throws, even outside strict mode, when an installed server fails to start', async () => {
    vi.stubEnv('SESSION_STORES_PROVIDER', 'local');
    vi.stubEnv('CI', '');
    vi.stubEnv('SESSION_STORES_STRICT', '');
    // An executable that exits at once with status 1: "installed", but not a server.
    vi.stubEnv('MEMCACHED_BIN', '/bin/false');
    const error = await backendForTests('memcached').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerStartError);
    expect(String(error)).toMatch(/memcached 1 on 127\.0\.0\.1:\d+ exited with code 1 while starting/);
  });
});
