import { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisStore } from '../src/index';
import { describeWithRedis, expiresOf, session, sid } from './helpers';

await describeWithRedis('RedisStore round trips', (redis) => {
  let client: Redis;
  let monitor: Redis;
  const seen: string[][] = [];

  beforeAll(async () => {
    client = new Redis(redis.server.url);
    await client.ping();
    monitor = await new Redis(redis.server.url).monitor();
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
  });
  afterAll(() => {
    monitor.disconnect();
    client.disconnect();
  });

  /** Waits until MONITOR has shown a command carrying `marker`, and returns what it showed before it. */
  async function monitoredUntil(marker: string): Promise<string[][]> {
    await client.echo(marker);
    const deadline = Date.now() + 5000;
    for (;;) {
      const end = seen.findIndex((args) => args.includes(marker));
      if (end >= 0) return seen.splice(0, end + 1).slice(0, -1);
      if (Date.now() > deadline) throw new Error('MONITOR never showed the marker');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Counts writes to the client's socket (one per round trip: ioredis writes a pipeline at once) and records the commands Redis ran. */
  async function observe(
    store: RedisStore,
    action: () => Promise<unknown>,
  ): Promise<{ writes: number; commands: string[][] }> {
    await monitoredUntil(`before-${sid()}`);
    const socket = (client as unknown as { stream: Socket }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
      writes += 1;
      return write.apply(this, args);
    } as Socket['write'];
    try {
      await action();
    } finally {
      socket.write = write;
    }
    const commands = (await monitoredUntil(`after-${sid()}`)).filter(
      (args) => args.some((arg) => arg.startsWith(store.prefix)) || ['multi', 'exec'].includes(args[0]!.toLowerCase()),
    );
    return { writes, commands: commands.map((args) => args.map((arg, i) => (i === 0 ? arg.toUpperCase() : arg))) };
  }

  it('get on ioredis is one round trip: EVALSHA of a script that runs GET and PEXPIRETIME', async () => {
    const store = redis.store({ client });
    const id = sid();
    await store.set(id, session(60_000));
    await store.get(id); // The server learns the script (NOSCRIPT, then EVAL) once.
    const { writes, commands } = await observe(store, () => store.get(id));
    expect(writes).toBe(1);
    expect(commands.map((args) => args[0])).toEqual(['EVALSHA', 'GET', 'PEXPIRETIME']);
    expect(commands[0]!.slice(2)).toEqual(['1', `${store.prefix}${id}`]);
  });

  it('get on node-redis sends GET and PEXPIRETIME together, no script', async () => {
    const store = redis.store({ driver: 'node-redis' });
    const id = sid();
    await store.set(id, session(60_000));
    const { commands } = await observe(store, () => store.get(id));
    expect(commands).toEqual([
      ['GET', `${store.prefix}${id}`],
      ['PEXPIRETIME', `${store.prefix}${id}`],
    ]);
  });

  it('set is one round trip: SET key value PXAT expiresAt', async () => {
    const store = redis.store({ client });
    const id = sid();
    const data = session(60_000);
    const { writes, commands } = await observe(store, async () => {
      await store.set(id, data);
    });
    expect(writes).toBe(1);
    expect(commands).toEqual([
      [
        'SET',
        `${store.prefix}${id}`,
        JSON.stringify(data),
        'PXAT',
        String(Date.parse(data.cookie.expires as unknown as string)),
      ],
    ]);
  });

  it('touch is one round trip: EVALSHA of the script that replaces the cookie and sets PXAT', async () => {
    const store = redis.store({ client });
    const id = sid();
    await store.set(id, session(60_000));
    await store.touch(id, session(90_000)); // The server learns the script (NOSCRIPT, then EVAL) once.
    const touched = session(120_000);
    const { writes, commands } = await observe(store, async () => {
      await store.touch(id, touched);
    });
    expect(writes).toBe(1);
    expect(commands.map((args) => args[0])).toEqual(['EVALSHA', 'GET', 'SET']);
    expect(commands[0]!.slice(2)).toEqual([
      '1',
      `${store.prefix}${id}`,
      JSON.stringify(touched.cookie),
      String(Date.parse(touched.cookie.expires as unknown as string)),
    ]);
    expect(commands[2]!.slice(3)).toEqual(['PXAT', String(Date.parse(touched.cookie.expires as unknown as string))]);
  });

  it('touch that only moves the date of the cookie last stored is one PEXPIREAT, no script', async () => {
    const store = redis.store({ client });
    const id = sid();
    const stored = session(60_000, { n: 1 });
    await store.set(id, stored);
    const touched = session(60_000);
    touched.cookie.expires = new Date(Date.parse(expiresOf(stored)) + 5_000).toISOString() as never;
    const at = String(Date.parse(expiresOf(touched)));
    const { writes, commands } = await observe(store, async () => {
      await store.touch(id, touched);
    });
    expect(writes).toBe(1);
    expect(commands).toEqual([['PEXPIREAT', `${store.prefix}${id}`, at]]);
  });

  it('destroy is one round trip: UNLINK key', async () => {
    const store = redis.store({ client });
    const id = sid();
    await store.set(id, session(60_000));
    const { writes, commands } = await observe(store, async () => {
      await store.destroy(id);
    });
    expect(writes).toBe(1);
    expect(commands).toEqual([['UNLINK', `${store.prefix}${id}`]]);
  });

  it('all() costs one SCAN and one EVALSHA (GET and PEXPIRETIME per key) per page', async () => {
    const store = redis.store({ client, scanCount: 1000 });
    const ids = [sid(), sid(), sid()];
    for (const id of ids) await store.set(id, session(60_000));
    await store.all(); // The server learns the script (NOSCRIPT, then EVAL) once.
    const { writes, commands } = await observe(store, () => store.all());
    expect(writes).toBe(2);
    expect(commands.map((args) => args[0])).toEqual([
      'SCAN',
      'EVALSHA',
      'GET',
      'PEXPIRETIME',
      'GET',
      'PEXPIRETIME',
      'GET',
      'PEXPIRETIME',
    ]);
    expect(commands[0]).toEqual(['SCAN', '0', 'MATCH', `${store.prefix}*`, 'COUNT', '1000', 'TYPE', 'string']);
  });
});
