import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { describe, expect, it } from 'vitest';
import { visitOnce as visit } from '../../../scripts/test-support/visit';
import { MongoStore } from '../src/index';
import { mongoTargets, TEST_DB, testBed, uniqueName } from './helpers';

/**
 * connect-mongo's own README usage, run as written with express-session against a real server,
 * then again with only the require/import line changed: sessions the anchor wrote before the
 * switch are read after it (plain, and encrypted with its `crypto` option), and the app's code
 * works unchanged. The CommonJS form (`require('connect-mongo')` then `MongoStore.create`) is
 * the one of connect-mongo 4 and 5, so "before" runs the real connect-mongo 5.1.0; the
 * TypeScript form (`import MongoStore from 'connect-mongo'`) runs connect-mongo 6.0.0.
 */
const load = createRequire(import.meta.url);
const anchorReadme = readFileSync(
  load.resolve('connect-mongo/package.json').replace(/package\.json$/, 'README.md'),
  'utf8',
);
const blocks = (language: string) =>
  [...anchorReadme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);
const commonJsUsage = blocks('js').find((code) => code.includes("require('connect-mongo')"))!;
const typeScriptUsage = blocks('ts').find((code) => code.includes("import MongoStore from 'connect-mongo'"))!;
const OURS = '@session-stores/mongo';
// The CommonJS shape (the class as module.exports) exists in the build only; dist.test.ts checks it too.
const built = existsSync(new URL('../dist/index.cjs', import.meta.url));

// kruptein 3.1, which connect-mongo 5 installs, refuses a secret without upper case, digits and symbols.
const SECRET = 'Squirrel!Secret-of-the-App#2024';

const { targets, skipped } = await mongoTargets();
for (const title of skipped) describe.skip(title, () => it('runs the drop-in tests', () => {}));

interface Running {
  app: Express;
  stores: Array<{ close(): unknown }>;
}

/** TypeScript's CommonJS output for `import X from 'm'` (esModuleInterop), so the README's ts block runs as an app compiled from it would. */
function asCommonJs(code: string): string {
  return code.replace(
    /^import (\w+) from '([^']+)'$/gm,
    (_, name: string, module: string) =>
      `const ${name} = ((m) => (m && m.__esModule ? m : { default: m }))(require('${module}')).default`,
  );
}

/**
 * Runs README code as a CommonJS app: `app` and `options` are the app's, `require` is the real
 * one except that the stores express-session is given are recorded (to be closed), and
 * `connect-mongo` is the version the form belongs to.
 */
function runUsage(code: string, anchor: string, options: Record<string, unknown>): Running {
  const running: Running = { app: express(), stores: [] };
  const realSession = load('express-session') as (options: { store: Running['stores'][number] }) => unknown;
  const recordingSession = Object.assign((given: { store: Running['stores'][number] }) => {
    running.stores.push(given.store);
    return realSession(given);
  }, realSession);
  const fakeRequire = (name: string): unknown =>
    name === 'express-session' ? recordingSession : load(name === 'connect-mongo' ? anchor : name);
  new Function('require', 'app', 'options', asCommonJs(code))(fakeRequire, running.app, options);
  // The app's own code, the same before and after the switch.
  running.app.get('/', (req, res) => {
    const data = req.session as unknown as { views?: number };
    data.views = (data.views ?? 0) + 1;
    res.send(`views: ${data.views}`);
  });
  return running;
}

/** The same code with its connect-mongo line switched to this package, and nothing else. */
function switched(code: string): string {
  const lines = code.split('\n').filter((line) => line.includes("'connect-mongo'"));
  expect(lines).toHaveLength(1);
  return code.replace("'connect-mongo'", `'${OURS}'`);
}

async function stop(running: Running): Promise<void> {
  for (const store of running.stores) await store.close();
}

describe.each(targets)("drop-in for connect-mongo's README usage, on $title", (target) => {
  const bed = testBed(target);
  // connect-mongo's default autoRemove ("native") fails every one of its calls on FerretDB (no TTL indexes).
  const appOptions = (extra: Record<string, unknown> = {}) => ({
    mongoUrl: target.server.url,
    dbName: TEST_DB,
    collectionName: uniqueName(),
    ...(target.kind === 'ferretdb' ? { autoRemove: 'disabled' } : {}),
    ...extra,
  });

  /** Two visits on the anchor, the switch, two more on ours: the user stays logged in throughout. */
  async function expectSwitch(
    code: string,
    anchor: string,
    options: Record<string, unknown>,
  ): Promise<{ cookie: string; ours: MongoStore }> {
    const before = runUsage(code, anchor, options);
    let page = await visit(before.app);
    page = await visit(before.app, page.cookie);
    expect(page.text).toBe('views: 2');
    expect(before.stores[0]).not.toBeInstanceOf(MongoStore);
    await stop(before);

    const after = runUsage(switched(code), anchor, options);
    const ours = after.stores[0] as MongoStore;
    expect(ours.constructor.name).toBe('MongoStore');
    page = await visit(after.app, page.cookie);
    expect(page.text).toBe('views: 3');
    page = await visit(after.app, page.cookie);
    expect(page.text).toBe('views: 4');
    await stop(after);
    return { cookie: page.cookie, ours };
  }

  it.skipIf(!built)(
    `the CommonJS form of connect-mongo 4 and 5 (require, then MongoStore.create)${built ? '' : ' (skipped: run pnpm build first)'}`,
    async () => {
      expect(commonJsUsage).toContain('MongoStore.create(options)');
      await expectSwitch(commonJsUsage, 'connect-mongo-5', appOptions());
    },
  );

  it("the TypeScript form of connect-mongo 6 (import MongoStore from 'connect-mongo'), compiled to CommonJS", async () => {
    await expectSwitch(typeScriptUsage, 'connect-mongo', appOptions());
  });

  it.skipIf(!built)(
    'sessions connect-mongo encrypted with crypto (kruptein) are read with the old secret, and rewritten encrypted in ours',
    async () => {
      const secret = SECRET;
      const options = appOptions({ crypto: { secret } });
      const { cookie } = await expectSwitch(commonJsUsage, 'connect-mongo-5', options);
      const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
      const document = await bed.db.collection(options.collectionName).findOne({ _id: sid as never });
      // No longer kruptein's text, and never plaintext: our envelope, with the same secret.
      expect(document?.session).toMatch(/^\{"ss_encrypted":"v2\./);
      expect(document?.session).not.toContain('views');
      const reader = new MongoStore({
        client: bed.direct,
        dbName: TEST_DB,
        collectionName: options.collectionName,
        encryption: { secret },
      });
      bed.stores.push(reader);
      expect(await reader.get(sid)).toMatchObject({ views: 4 });
    },
  );

  it('sessions connect-mongo 6 encrypted with crypto are read by the TypeScript form after the switch', async () => {
    await expectSwitch(typeScriptUsage, 'connect-mongo', appOptions({ crypto: { secret: SECRET } }));
  });

  it('a store with the wrong crypto secret reports the old sessions as decodeError misses, never as data', async () => {
    const options = appOptions({ crypto: { secret: SECRET } });
    const before = runUsage(typeScriptUsage, 'connect-mongo', options);
    const page = await visit(before.app);
    await stop(before);
    const sid = decodeURIComponent(page.cookie.split('=')[1]!).slice(2).split('.')[0]!;
    const { store } = bed.makeStore({
      collectionName: options.collectionName,
      crypto: { secret: 'Another!Secret-of-the-App#2024' },
    });
    const errors: unknown[] = [];
    store.on('decodeError', (event) => errors.push(event));
    expect(await store.get(sid)).toBeNull();
    expect(errors).toEqual([
      { sid, error: expect.objectContaining({ message: expect.stringMatching(/secret does not match/) }) },
    ]);
  });
});
