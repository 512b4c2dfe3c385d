import { describe, expect, it } from 'vitest';
import {
  backendForTests,
  backendTitle,
  startMemcached,
  type HarnessServer,
  type HostPort,
} from '@session-stores/test-servers';
import { tcpExchange } from '../src/tcp';
import { lifecycleTests, type DataProbe } from './lifecycle';

// The text protocol, spoken directly: one request, one reply.
const ask = (node: HostPort, request: string, ending: RegExp) =>
  tcpExchange(node, request, (received) => ending.test(received.toString('latin1')), 2000).then((reply) =>
    reply.toString('latin1'),
  );

/** Writes the value to every server of the pool, and reads it from each: each server must hold it. */
const probe: DataProbe = {
  async write(server, key, value) {
    for (const node of server.nodes) {
      expect(await ask(node, `set ${key} 0 0 ${Buffer.byteLength(value)}\r\n${value}\r\n`, /\r\n$/)).toBe('STORED\r\n');
    }
  },
  async read(server, key) {
    const values = new Set<string | null>();
    for (const node of server.nodes) {
      const reply = await ask(node, `get ${key}\r\n`, /END\r\n$/);
      const match = /^VALUE \S+ \d+ \d+\r\n([\s\S]*)\r\nEND\r\n$/.exec(reply);
      values.add(match ? (match[1] ?? '') : null);
    }
    expect(values.size).toBe(1);
    return [...values][0] ?? null;
  },
};

const single = await backendForTests('memcached');
const pair = await backendForTests('memcached-pair');

describe.skipIf(!single)(backendTitle('memcached', single), () => {
  lifecycleTests(
    () => single as HarnessServer,
    () => startMemcached(),
    probe,
  );

  it('url is host:port', () => {
    expect(single?.url).toBe(`127.0.0.1:${single?.nodes[0]?.port}`);
  });

  // A server from MEMCACHED_SERVERS keeps its own memory size.
  it.skipIf(single?.provider === 'url')('memoryMb sets the memory of a server it starts', async () => {
    const server = await startMemcached({ memoryMb: 96 });
    try {
      const stats = await ask(server.nodes[0] as HostPort, 'stats\r\n', /END\r\n$/);
      expect(/STAT limit_maxbytes (\d+)/.exec(stats)?.[1]).toBe(String(96 * 2 ** 20));
    } finally {
      await server.dispose();
    }
  });
});

describe.skipIf(!pair)(backendTitle('memcached-pair', pair), () => {
  lifecycleTests(
    () => pair as HarnessServer,
    () => startMemcached({ servers: 2 }),
    probe,
  );

  it('runs two independent servers, listed comma-separated in url', async () => {
    const [first, second] = pair?.nodes ?? [];
    expect(first && second && first.port !== second.port).toBe(true);
    expect(pair?.url).toBe(`127.0.0.1:${first?.port},127.0.0.1:${second?.port}`);
    const key = `only-on-first-${Date.now()}`;
    expect(await ask(first as HostPort, `set ${key} 0 0 1\r\nx\r\n`, /\r\n$/)).toBe('STORED\r\n');
    expect(await ask(second as HostPort, `get ${key}\r\n`, /END\r\n$/)).toBe('END\r\n');
  });
});

describe('startMemcached options', () => {
  it('rejects a servers count that is not a positive integer', async () => {
    await expect(startMemcached({ servers: 0 })).rejects.toThrow(/"servers" must be a positive integer/);
  });

  it('rejects a memoryMb that is not a positive integer', async () => {
    await expect(startMemcached({ memoryMb: 0.5 })).rejects.toThrow(/"memoryMb" must be a positive integer/);
  });
});
