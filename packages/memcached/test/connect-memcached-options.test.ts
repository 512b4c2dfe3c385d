import { randomBytes } from 'node:crypto';
import session from 'express-session';
import Memcached from 'memcached';
import memjs from 'memjs';
import { describe, expect, it } from 'vitest';
import { ketamaServerIndex, MemcachedStore } from '../src';
import connectMemcached from '../src/connect-memcached';

// Construction only: no command is sent, so no server is needed (and none is at these ports).
const ConnectMemcachedStore = connectMemcached(session);
const hosts = ['127.0.0.1:1', '127.0.0.1:2'];
const SECRET = 'Xj8$kLp2@Qa9#Zt5!';

describe("connect-memcached's options", () => {
  it('accepts hosts as another name for servers, never both', async () => {
    const store = new MemcachedStore({ hosts });
    expect(store.client.servers.map((server) => server.port)).toEqual([1, 2]);
    await store.close();
    expect(() => new MemcachedStore({ hosts, servers: hosts })).toThrow(/got servers and hosts/);
  });

  it('keyDistribution "ketama" sends every key where the memcached package sends it, weights and default port included', async () => {
    const layouts: Array<Record<string, number>> = [
      { '127.0.0.1:11211': 1, '127.0.0.1:11212': 1 },
      { 'localhost:11211': 1, 'localhost:40001': 2, '10.0.0.3': 1 },
    ];
    for (const weights of layouts) {
      // The memcached package takes connect-memcached's weighted form (its types say otherwise).
      const theirs = new Memcached(weights as never, { retries: 0 });
      const ours = new MemcachedStore({ servers: weights, keyDistribution: 'ketama' });
      const ring = ketamaServerIndex(Object.entries(weights).map(([address, weight]) => ({ address, weight })));
      const names = Object.keys(weights);
      let moved = 0;
      for (let i = 0; i < 2000; i++) {
        const key = `sess:${i.toString(36)}-${Math.random().toString(36).slice(2)}`;
        const expected = (theirs as unknown as { HashRing: { get(key: string): string } }).HashRing.get(key);
        expect(names[ring(key)]).toBe(expected);
        expect(ours.client.servers.indexOf(ours.client.server(key)!)).toBe(names.indexOf(expected));
        const memjsChoice = memjs.Client.create(names.join(',')).getServer(key) as unknown as number;
        if (names[memjsChoice] !== expected) moved++;
      }
      // Why the option exists: memjs's own hash sends many keys elsewhere.
      expect(moved).toBeGreaterThan(200);
      theirs.end();
      await ours.close();
    }
  });

  it('refuses weights without ketama, keyDistribution with your own client, and unknown distributions', () => {
    expect(() => new MemcachedStore({ servers: { '127.0.0.1:1': 1 } })).toThrow(/needs keyDistribution: "ketama"/);
    expect(() => new MemcachedStore({ servers: { '127.0.0.1:1': 0 }, keyDistribution: 'ketama' })).toThrow(
      /weight > 0/,
    );
    const client = memjs.Client.create('127.0.0.1:1');
    expect(() => new MemcachedStore({ client, keyDistribution: 'ketama' })).toThrow(
      /"keyDistribution" applies only with "servers"/,
    );
    expect(() => new MemcachedStore({ hosts, keyDistribution: 'crc32' as never })).toThrow(
      /option "keyDistribution" must be one of "memjs", "ketama"/,
    );
  });

  it('connectMemcachedSecret needs encryption and an AES-GCM cipher', () => {
    expect(() => new MemcachedStore({ hosts, connectMemcachedSecret: { secret: SECRET } })).toThrow(
      /needs "encryption" too/,
    );
    expect(
      () =>
        new MemcachedStore({
          hosts,
          encryption: { secret: SECRET },
          connectMemcachedSecret: { secret: SECRET, algorithm: 'aes-256-cbc' },
        }),
    ).toThrow(/an AES-GCM cipher/);
    expect(
      () => new MemcachedStore({ hosts, encryption: { secret: SECRET }, connectMemcachedSecret: 'x' as never }),
    ).toThrow(/must be \{ secret, algorithm\?, hashing\? \}/);
  });

  it('the compatibility entry takes connect-memcached\'s defaults: prefix "", ketama, 127.0.0.1:11211', async () => {
    const store = new ConnectMemcachedStore();
    expect(store.prefix).toBe('');
    expect(store.client.servers.map((server) => `${server.host}:${server.port}`)).toEqual(['127.0.0.1:11211']);
    const spread = new ConnectMemcachedStore({ hosts, prefix: 'app:' });
    expect(spread.prefix).toBe('app:');
    const ring = ketamaServerIndex(hosts.map((address) => ({ address, weight: 1 })));
    for (const key of ['app:a', 'app:b', 'app:c', 'app:d']) {
      expect(spread.client.servers.indexOf(spread.client.server(key)!)).toBe(ring(key));
    }
    await Promise.all([store.close(), spread.close()]);
    expect(() => connectMemcached({} as never)).toThrow(/pass express-session/);
  });

  it('the compatibility entry refuses what connect-memcached handed to the memcached package or kruptein, naming what to use', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['timeout', 1000, /use clientOptions\.timeout/],
      ['retries', 2, /use clientOptions\.retries/],
      ['poolSize', 10, /memjs keeps one connection per server/],
      ['failOverServers', ['127.0.0.1:3'], /a key never moves to another server/],
      ['maxValue', 2_000_000, /use itemSizeMax/],
      ['use_scrypt', true, /MemcachedStore's own encryption/],
      ['compatibility', 'ketama', /keyDistribution/],
    ];
    for (const [name, value, alternative] of cases) {
      expect(() => new ConnectMemcachedStore({ hosts, [name]: value } as never)).toThrow(
        new RegExp(`option "${name}" .*not supported; .*${alternative.source}`),
      );
    }
    expect(() => new ConnectMemcachedStore({ hosts, algorithm: 'sha1' })).toThrow(
      /"algorithm" applies only with "secret".*keyDistribution/,
    );
  });

  it('the compatibility entry honours secret: with encryption from it, or refuses a weak one naming a random key', async () => {
    const store = new ConnectMemcachedStore({ hosts, secret: SECRET, algorithm: 'aes-256-gcm', hashing: 'sha512' });
    expect(store.capabilities).toBeDefined();
    await store.close();
    expect(() => new ConnectMemcachedStore({ hosts, secret: 'Ab1!Cd2@' })).toThrow(
      /"secret" is too weak to encrypt .*keep it .*give encryption: \{ secret: \{ key: crypto\.randomBytes\(32\)\.toString\('base64'\) \} \}/,
    );
    const own = new ConnectMemcachedStore({ hosts, secret: 'Ab1!Cd2@', encryption: { secret: randomBytes(32) } });
    await own.close();
    expect(() => new ConnectMemcachedStore({ hosts, secret: SECRET, algorithm: 'aes-256-cbc' })).toThrow(
      /an AES-GCM cipher/,
    );
  });
});
