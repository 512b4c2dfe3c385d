import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { eventually, mongoTargets, sessionData, testBed, uniqueName } from './helpers';

const { targets, skipped } = await mongoTargets();

for (const title of skipped) describe.skip(title, () => it('runs the MongoStore sessions-by-user tests', () => {}));

const userId = (session: SessionData): string | undefined => (session as { userId?: string }).userId;
const of = (user?: string): SessionData =>
  sessionData(60_000, user === undefined ? {} : { userId: user }) as unknown as SessionData;

describe.each(targets)('MongoStore sessions by user on $title', (target) => {
  const { makeStore } = testBed(target);

  it('writes the user in a userId field of the connect-mongo document, and indexes it', async () => {
    const { store, collection } = makeStore({ userId });
    await store.set('sid-ada', of('ada'));
    await store.set('sid-nobody', of());
    expect(await collection.findOne({ _id: 'sid-ada' })).toMatchObject({ userId: 'ada' });
    expect(await collection.findOne({ _id: 'sid-nobody' })).toMatchObject({ userId: null });
    await eventually('the userId_1 index', async () =>
      (await collection.indexes()).some((index) => index.name === 'userId_1'),
    );
  });

  it('without the option, writes no userId field and creates no index (never silently)', async () => {
    const { store, collection } = makeStore();
    await store.set('sid-plain', of('ada'));
    expect(await collection.findOne({ _id: 'sid-plain' })).not.toHaveProperty('userId');
    expect((await collection.indexes()).map((index) => index.name)).not.toContain('userId_1');
  });

  it('a store without the option, sharing the collection, removes the user it overwrites', async () => {
    const collectionName = uniqueName();
    const { store: indexed } = makeStore({ collectionName, userId });
    const { store: plain } = makeStore({ collectionName });
    await indexed.set('sid-shared', of('ada'));
    expect(await indexed.countUserSessions('ada')).toBe(1);
    await plain.set('sid-shared', of('grace'));
    expect(await indexed.countUserSessions('ada')).toBe(0);
  });
});
