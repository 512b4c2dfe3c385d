import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { describeWithRedis, eventually, nextEvent, session, sid } from './helpers';

await describeWithRedis('RedisStore connection events and client ownership', (redis) => {
  it('emits connect when its own client becomes ready', async () => {
    const store = new RedisStore({ url: redis.server.url, driver: 'ioredis' });
    try {
      await nextEvent(store, 'connect');
      expect((store.client as Redis).status).toBe('ready');
    } finally {
      await store.close();
    }
  });

  it("follows a given client's connection: disconnect when it drops, connect when it is back", async () => {
    const client = new Redis(redis.server.url, { connectionName: `dropme-${sid()}` });
    try {
      await client.ping();
      const store = redis.store({ client });
      const events: string[] = [];
      store.on('connect', () => events.push('connect'));
      store.on('disconnect', () => events.push('disconnect'));
      await redis.admin.client('KILL', 'ID', String(await client.client('ID')));
      await eventually(() => events.includes('connect'), 'the store to emit connect again');
      expect(events).toEqual(['disconnect', 'connect']);
      await store.set(sid(), session(60_000));
    } finally {
      client.disconnect();
    }
  });

  it('does not emit disconnect for a failed command', async () => {
    const store = redis.store();
    await store.set(sid(), session(60_000));
    const events: string[] = [];
    store.on('disconnect', () => events.push('disconnect'));
    const id = sid();
    await redis.admin.lpush(`${store.prefix}${id}`, 'not a session');
    await expect(store.get(id)).rejects.toThrow(/WRONGTYPE/);
    await expect(store.set(sid(), { cookie: { expires: 'not a date' } } as never)).rejects.toThrow();
    await store.get(sid());
    expect(events).toEqual([]);
  });

  it('close() leaves a given client open and stops following it', async () => {
    const client = new Redis(redis.server.url);
    try {
      const store = redis.store({ client });
      await store.set(sid(), session(60_000));
      await store.close();
      expect(client.status).toBe('ready');
      expect(client.listenerCount('ready') + client.listenerCount('close') + client.listenerCount('end')).toBe(0);
      expect(await client.ping()).toBe('PONG');
      await expect(store.get(sid())).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_CLOSED' });
    } finally {
      client.disconnect();
    }
  });

  it('emits connect when its own node-redis client becomes ready, and close() closes that client', async () => {
    const store = new RedisStore({ url: redis.server.url });
    expect(store.driverName).toBe('node-redis');
    await nextEvent(store, 'connect');
    const client = store.client as unknown as { isReady: boolean; isOpen: boolean };
    expect(client.isReady).toBe(true);
    await store.set(sid(), session(60_000));
    await store.close();
    expect(client.isOpen).toBe(false);
  });

  it('close() closes the client the store made', async () => {
    const store = new RedisStore({ url: redis.server.url, driver: 'ioredis' });
    await store.set(sid(), session(60_000));
    await store.close();
    expect((store.client as Redis).status).toBe('end');
  });

  it('close() of a store whose own client cannot reach Redis ends at once', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', driver: 'ioredis' });
    await store.close();
    expect((store.client as Redis).status).toBe('end');
  });
});
