import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { StoreErrorCode, type BaseStoreOptions, type StoredEntry } from '../src';
import { MapStore, MinimalStore, sessionExpiringIn } from './map-store';

/** A MapStore that keeps each record's user beside it, as an indexed column would. */
class UserMapStore extends MapStore {
  readonly users = new Map<string, string | null>();

  constructor(options?: BaseStoreOptions) {
    super(options);
  }

  // MapStore's writeRecord takes three arguments; the base passes the session and the user too.
  protected override async writeRecord(
    sid: string,
    payload: string,
    expiresAt: number,
    _session?: SessionData,
    userId: string | null = null,
  ): Promise<void> {
    await super.writeRecord(sid, payload, expiresAt);
    this.users.set(sid, userId);
  }

  protected override async deleteRecord(sid: string): Promise<void> {
    await super.deleteRecord(sid);
    this.users.delete(sid);
  }

  protected override async listUserRecords(userId: string): Promise<StoredEntry[]> {
    return [...this.records]
      .filter(([sid]) => this.users.get(sid) === userId)
      .map(([sid, record]) => ({ sid, ...record }));
  }

  protected override async deleteUserRecords(userId: string, exceptSid: string | null): Promise<number> {
    let live = 0;
    for (const [sid, record] of [...this.records]) {
      if (this.users.get(sid) !== userId || sid === exceptSid) continue;
      if (record.expiresAt > Date.now()) live += 1;
      await this.deleteRecord(sid);
    }
    return live;
  }

  isIndexing(): boolean {
    return this.indexesUsers;
  }
}

const byUser = (session: SessionData): string | undefined => (session as { user?: string }).user;

describe('sessions by user (the userId option)', () => {
  it('is absent, not stubbed, without the option', () => {
    const store = new UserMapStore();
    expect(store.capabilities.sessionsByUser).toBe(false);
    expect(store.userSessions).toBeUndefined();
    expect(store.countUserSessions).toBeUndefined();
    expect(store.destroyUserSessions).toBeUndefined();
    expect(store.isIndexing()).toBe(false);
  });

  it('refuses the option on a store that keeps no index, naming the stores that do', () => {
    expect(() => new MinimalStore({ userId: byUser })).toThrow(
      /MinimalStore: option "userId" is not supported; .*PostgresStore, SqliteStore, MongoStore/,
    );
    expect(() => new UserMapStore({ userId: 'user' as never })).toThrow(/option "userId" must be a function/);
  });

  it('lists, counts and destroys one user’s live sessions, except the given sid', async () => {
    const store = new UserMapStore({ userId: byUser });
    expect(store.capabilities.sessionsByUser).toBe(true);
    await store.set('a1', sessionExpiringIn(60_000, { user: 'alice' }));
    await store.set('a2', sessionExpiringIn(60_000, { user: 'alice' }));
    await store.set('b1', sessionExpiringIn(60_000, { user: 'bob' }));
    await store.set('anon', sessionExpiringIn(60_000));
    const listed = await store.userSessions('alice');
    expect(listed.map((entry) => entry.sid).sort()).toEqual(['a1', 'a2']);
    expect(listed[0]!.session).toMatchObject({ user: 'alice' });
    expect(await store.countUserSessions('alice')).toBe(2);
    expect(await store.destroyUserSessions('alice', { except: 'a1' })).toBe(1);
    expect(await store.get('a1')).not.toBeNull();
    expect(await store.get('a2')).toBeNull();
    expect(await store.get('b1')).not.toBeNull();
    const viaCallback = await new Promise<unknown[]>((resolve) =>
      store.destroyUserSessions('alice', (error, count) => resolve([error, count])),
    );
    expect(viaCallback).toEqual([null, 1]);
    expect(await store.countUserSessions('alice')).toBe(0);
  });

  it('never lists or counts an expired session, even when the backend still holds it', async () => {
    const store = new UserMapStore({ userId: byUser });
    await store.set('old', sessionExpiringIn(60_000, { user: 'alice' }));
    store.records.get('old')!.expiresAt = Date.now() - 1;
    expect(await store.userSessions('alice')).toEqual([]);
    expect(await store.countUserSessions('alice')).toBe(0);
  });

  it('fails set through the promise when the option returns something that is not a user id', async () => {
    const store = new UserMapStore({ userId: (session) => (session as { user?: string }).user });
    await expect(store.set('n', sessionExpiringIn(60_000, { user: 42 }))).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/^MapStore\.set failed: option "userId" must return a non-empty string/),
    });
    const throwing = new UserMapStore({
      userId: () => {
        throw new Error('no user here');
      },
    });
    await expect(throwing.set('t', sessionExpiringIn(60_000))).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/option "userId" threw: no user here/),
    });
    expect(store.records.has('n')).toBe(false);
  });

  it('reports a bad user id or except through the callback and the promise', async () => {
    const store = new UserMapStore({ userId: byUser });
    await expect(store.userSessions('')).rejects.toMatchObject({ code: StoreErrorCode.invalidArgument });
    await expect(store.countUserSessions(7 as never)).rejects.toMatchObject({ code: StoreErrorCode.invalidArgument });
    await expect(store.destroyUserSessions('alice', { except: 3 as never })).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/options\.except must be a non-empty sid/),
    });
    await expect(store.destroyUserSessions('alice', 'sid' as never)).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
    });
    const viaCallback = await new Promise<unknown>((resolve) => store.userSessions(null as never, resolve));
    expect(viaCallback).toMatchObject({ code: StoreErrorCode.invalidArgument });
  });
  it('indexes a session whose option returns null as one without a user, and refuses an empty user id', async () => {
    const store = new UserMapStore({ userId: (session) => (session as { user?: string | null }).user ?? null });
    await store.set('anon', sessionExpiringIn(60_000));
    expect(store.users.get('anon')).toBeNull();
    expect(await store.get('anon')).not.toBeNull();
    await expect(store.set('empty', sessionExpiringIn(60_000, { user: '' }))).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/option "userId" must return a non-empty string, .*got ""$/),
    });
    expect(store.records.has('empty')).toBe(false);
  });

  it('reports an option that throws something that is not an Error', async () => {
    for (const thrown of [null, undefined, 'plain text']) {
      const store = new UserMapStore({
        userId: () => {
          throw thrown;
        },
      });
      await expect(store.set('t', sessionExpiringIn(60_000))).rejects.toMatchObject({
        code: StoreErrorCode.invalidArgument,
        message: expect.stringMatching(/option "userId" threw: /),
      });
    }
  });

  it('destroyUserSessions: options without except keep nothing; null or an empty except is an error', async () => {
    const store = new UserMapStore({ userId: byUser });
    await store.set('a1', sessionExpiringIn(60_000, { user: 'alice' }));
    await store.set('a2', sessionExpiringIn(60_000, { user: 'alice' }));
    await expect(store.destroyUserSessions('alice', null as never)).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/options must be an object like \{ except: sid \}, got null/),
    });
    await expect(store.destroyUserSessions('alice', { except: '' })).rejects.toMatchObject({
      code: StoreErrorCode.invalidArgument,
      message: expect.stringMatching(/options\.except must be a non-empty sid, got ""/),
    });
    expect(await store.countUserSessions('alice')).toBe(2);
    expect(await store.destroyUserSessions('alice', {})).toBe(2);
    expect(await store.countUserSessions('alice')).toBe(0);
  });
});
