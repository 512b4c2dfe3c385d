import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertLoopback, formatHostPort, hostsOfUrl, parseHostPortList, redactUrl } from '../src/endpoints';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('harness endpoints', () => {
  it('reads the hosts of redis, postgres and multi-host mongodb URLs', () => {
    expect(hostsOfUrl('redis://:pw@127.0.0.1:6380/2', 6379, 'X')).toEqual([{ host: '127.0.0.1', port: 6380 }]);
    expect(hostsOfUrl('postgres://u:p@localhost/db?sslmode=disable', 5432, 'X')).toEqual([
      { host: 'localhost', port: 5432 },
    ]);
    expect(hostsOfUrl('mongodb://[::1]:27018,127.0.0.1/db?replicaSet=rs', 27017, 'X')).toEqual([
      { host: '::1', port: 27018 },
      { host: '127.0.0.1', port: 27017 },
    ]);
  });

  it('rejects URLs without a host and malformed lists', () => {
    expect(() => hostsOfUrl('postgres:///db', 5432, 'DATABASE_URL')).toThrow(/DATABASE_URL must name its host/);
    expect(() => hostsOfUrl('not a url', 1, 'REDIS_URL')).toThrow(/REDIS_URL is not a URL/);
    expect(() => parseHostPortList('127.0.0.1:99999', 1, 'MEMCACHED_SERVERS')).toThrow(/bad port/);
    expect(() => parseHostPortList(' , ', 1, 'MEMCACHED_SERVERS')).toThrow(/is empty/);
  });

  it('formats IPv6 addresses in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(formatHostPort({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
  });

  it('accepts only loopback hosts unless SESSION_STORES_ALLOW_REMOTE=1', () => {
    vi.stubEnv('SESSION_STORES_ALLOW_REMOTE', '');
    expect(() => assertLoopback('X', ['127.0.0.1', '::1', '[::1]', 'LOCALHOST'])).not.toThrow();
    expect(() => assertLoopback('X', ['127.0.0.2'])).toThrow(/"127.0.0.2", which is not a loopback address/);
    vi.stubEnv('SESSION_STORES_ALLOW_REMOTE', '1');
    expect(() => assertLoopback('X', ['db.internal'])).not.toThrow();
  });

  it('hides passwords in messages', () => {
    expect(redactUrl('redis://user:secret@127.0.0.1:6379')).toBe('redis://user:***@127.0.0.1:6379');
    expect(redactUrl('redis://:secret@127.0.0.1')).toBe('redis://:***@127.0.0.1');
    expect(redactUrl('redis://127.0.0.1')).toBe('redis://127.0.0.1');
  });
});
