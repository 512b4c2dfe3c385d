import type { Express } from 'express';
import type { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { expectVisitCounter, readmeCode, swap } from '../../../scripts/test-support/readme-code';
import type { MongoStore } from '../src/index';
import { directClient, mongoTargets, sessionData } from './helpers';

/** The README's code, run as written: only the connection string (and the port) are swapped. */
const { blocks, runModule } = readmeCode(import.meta.url);
const tsBlocks = blocks('ts');

const { targets } = await mongoTargets();
const target = targets[0];

describe.skipIf(!target)(`README, on ${target?.title ?? 'no server'}`, () => {
  it('has the three examples this test runs', () => {
    expect(tsBlocks).toHaveLength(3);
  });

  it('the usage example keeps a visit counter in MongoDB', async () => {
    // The store is kept (track) so the test can close it; the connection string points at the test server.
    let code = swap(
      tsBlocks[0]!,
      "store: new MongoStore({ mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/app' }),",
      `store: track(new MongoStore({ mongoUrl: ${JSON.stringify(`${target!.server.url}/readme_usage`)} })),`,
    );
    code = swap(code, 'app.listen(3000);', 'export { app, made };');
    code = `${code}\nfunction track(store: MongoStore): MongoStore {\n  made.push(store);\n  return store;\n}\n`;
    // Before the example's code (imports are hoisted anyway), so it exists when the store is made.
    code = `const made: import('@session-stores/mongo').MongoStore[] = [];\n${code}`;
    const { app, made } = (await runModule('usage', code)) as { app: Express; made: MongoStore[] };
    const direct = directClient(target!);
    try {
      await expectVisitCounter(app, async () => {
        const [document] = await direct.db('readme_usage').collection('sessions').find().toArray();
        expect(JSON.parse(document!.session as string)).toMatchObject({ views: 2 });
        expect(document!.expires).toBeInstanceOf(Date);
      });
    } finally {
      await Promise.all(made.map((store) => store.close()));
      await direct.db('readme_usage').dropDatabase();
      await direct.close();
    }
  });

  it('the shared-client example uses the client and leaves it open', async () => {
    let code = swap(
      tsBlocks[1]!,
      "process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017'",
      JSON.stringify(target!.server.url),
    );
    code = `import { MongoStore } from '@session-stores/mongo';\n${code}\nexport { client, store };`;
    const { client, store } = (await runModule('shared', code)) as { client: MongoClient; store: MongoStore };
    try {
      await store.set('readme-sid', sessionData(60_000, { n: 1 }) as never);
      expect(await store.get('readme-sid')).toMatchObject({ n: 1 });
      await store.close();
      expect(
        await client
          .db('app')
          .collection('sessions')
          .countDocuments({ _id: 'readme-sid' as never }),
      ).toBe(1);
      await client
        .db('app')
        .collection('sessions')
        .deleteOne({ _id: 'readme-sid' as never });
    } finally {
      await client.close();
    }
  });

  it("the migration example takes connect-mongo's options as they are", async () => {
    const code = `${swap(tsBlocks[2]!, "process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/app'", JSON.stringify(`${target!.server.url}/readme_migration`))}\nexport { store };`;
    const { store } = (await runModule('migration', code)) as { store: MongoStore };
    try {
      expect(store.capabilities.defaultTtlMs).toBe(14 * 24 * 60 * 60 * 1000);
      await store.set('sid', sessionData() as never);
      expect(await store.get('sid')).not.toBeNull();
      await store.clear();
    } finally {
      await store.close();
    }
  });
});
