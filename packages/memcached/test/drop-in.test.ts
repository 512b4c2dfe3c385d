import { backendForTests, backendTitle } from '@session-stores/test-servers';
import connectMemcachedAnchor from 'connect-memcached';
import express from 'express';
import session, { type SessionOptions, type Store } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../scripts/test-support/loopback-server';
import { MemcachedStore } from '../src';
import connectMemcachedCompat from '../src/connect-memcached';
import { readFileSync } from 'node:fs';
import type { SessionStoreWarning } from '@session-stores/core';
import { dumpKeys, randomSid, rawGet, sessionExpiringIn } from './helpers';

/**
 * The drop-in claim of issue 17: connect-memcached's README example, run first on
 * connect-memcached and then with only its require line changed, on two memcached servers.
 * Every user it logged in is still logged in after the switch, encrypted or not.
 */
const first = await backendForTests('memcached');
const second = await backendForTests('memcached');
const servers = first && second && first.url !== second.url ? [first, second] : null;

const ANCHOR_LINE = 'MemcachedStore = require("connect-memcached")(session)';
const OUR_LINE = 'MemcachedStore = require("@session-stores/memcached/connect-memcached")(session)';
const README_SECRET_LINE = 'secret: "Xj8$kLp2@Qa9#Zt5!" // Optionally use transparent encryption';

/**
 * connect-memcached's README example, word for word but for three things the test needs: the
 * require line (the switch), `hosts` (the test's servers instead of 127.0.0.1:11211), and
 * `return app` instead of `app.listen(9341)` (the test listens on a free loopback port).
 */
function readmeApp(requireLine: string, hosts: string[], secretLine: string): string {
  return `
var express = require("express"),
  session = require("express-session"),
  app = express(),
  ${requireLine};

app.use(
  session({
    secret: "CatOnKeyboard",
    key: "test",
    proxy: "true",
    resave: false,
    saveUninitialized: false,
    store: new MemcachedStore({
      hosts: ${JSON.stringify(hosts)},
      ${secretLine}
    })
  })
);

app.get("/", function(req, res) {
  if (req.session.views) {
    ++req.session.views;
  } else {
    req.session.views = 1;
  }
  res.send("Viewed <strong>" + req.session.views + "</strong> times.");
});

return app;
`;
}

const opened: Array<() => unknown> = [];

afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

/**
 * Runs the README app with `require` resolving the four modules it names; returns its URL. The
 * store the app makes is caught on its way into express-session, to be closed after the test.
 */
async function runApp(source: string): Promise<string> {
  const caught: Store[] = [];
  const catching = Object.assign((options: SessionOptions) => {
    if (options.store) caught.push(options.store);
    return session(options);
  }, session);
  const modules: Record<string, unknown> = {
    express,
    'express-session': catching,
    'connect-memcached': connectMemcachedAnchor,
    '@session-stores/memcached/connect-memcached': connectMemcachedCompat,
  };
  const requireModule = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`the README app requires ${id}, which the test does not provide`);
    return modules[id];
  };
  const app = new Function('require', source)(requireModule) as express.Express;
  const server = await listenOnLoopback(app);
  opened.push(
    () => server.close(),
    () => {
      return Promise.all(
        caught.map((store) => {
          if (store instanceof MemcachedStore) return store.close();
          // connect-memcached's client, from the memcached package.
          (store as unknown as { client: { end(): void } }).client.end();
        }),
      );
    },
  );
  return server.url;
}

async function view(url: string, cookie?: string): Promise<{ views: number; cookie: string | undefined }> {
  const response = await fetch(`${url}/`, { headers: cookie ? { cookie } : {} });
  const text = await response.text();
  const views = /Viewed <strong>(\d+)<\/strong>/.exec(text);
  if (!views) throw new Error(`unexpected answer ${response.status}: ${text}`);
  return { views: Number(views[1]), cookie: response.headers.get('set-cookie')?.split(';')[0] ?? cookie };
}

const USERS = 24;

describe.skipIf(!servers)(
  `drop-in for connect-memcached 3.0.0 (${backendTitle('memcached', first)}, two servers)`,
  () => {
    const hosts = () => servers!.map((server) => server.url);

    it.each([
      ['with its secret (encrypted sessions)', README_SECRET_LINE],
      ['without a secret', ''],
    ])(
      'the README app, %s: every user is still logged in after changing the require line',
      async (_title, secretLine) => {
        const before = await runApp(readmeApp(ANCHOR_LINE, hosts(), secretLine));
        const cookies: string[] = [];
        for (let user = 0; user < USERS; user++) {
          const one = await view(before);
          const two = await view(before, one.cookie);
          expect(two.views).toBe(2);
          cookies.push(two.cookie!);
        }
        // connect-memcached spread the sessions over both servers (ketama).
        const sids = cookies.map((cookie) => decodeURIComponent(cookie.slice('test='.length)).slice(2).split('.')[0]!);
        const held = await Promise.all(servers!.map(async (server) => dumpKeys(server.nodes[0]!)));
        const onServer = sids.map((sid) => held.findIndex((keys) => keys.has(sid)));
        expect(onServer.filter((index) => index === 0).length).toBeGreaterThan(0);
        expect(onServer.filter((index) => index === 1).length).toBeGreaterThan(0);

        const after = await runApp(readmeApp(OUR_LINE, hosts(), secretLine));
        for (const cookie of cookies) expect((await view(after, cookie)).views).toBe(3);
        // Each session was rewritten in place, on the server connect-memcached chose, in ours:
        // encrypted with MemcachedStore's encryption when the app has a secret, JSON otherwise.
        for (const [index, sid] of sids.entries()) {
          const stored = await rawGet(servers![onServer[index]!]!.nodes[0]!, sid);
          expect(stored?.value).toContain(secretLine ? '"ss_encrypted"' : '"views":3');
        }
        // And a new user works as well.
        const fresh = await view(after);
        expect((await view(after, fresh.cookie)).views).toBe(2);
      },
    );

    it('the README shows the same one-line switch the test makes', () => {
      const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
      expect(readme).toContain(`${OUR_LINE};`);
      expect(readme).toContain(`// before: ${ANCHOR_LINE};`);
    });

    it('a session connect-memcached encrypted under another secret is a miss with a warning, never a crash', async () => {
      const Theirs = connectMemcachedAnchor(session);
      const theirs = new Theirs({ hosts: hosts(), secret: 'Ab1!Cd2@Ef3#Gh4$' });
      const ours = new (connectMemcachedCompat(session))({ hosts: hosts(), secret: 'Xj8$kLp2@Qa9#Zt5!' });
      opened.push(
        () => (theirs as unknown as { client: { end(): void } }).client.end(),
        () => ours.close(),
      );
      const warnings: SessionStoreWarning[] = [];
      ours.on('warning', (warning: SessionStoreWarning) => warnings.push(warning));
      const sid = randomSid();
      await new Promise<void>((resolve, reject) =>
        theirs.set(sid, sessionExpiringIn(60_000, { user: 'ada' }), (error) => (error ? reject(error) : resolve())),
      );
      expect(await ours.get(sid)).toBeNull();
      // Warnings are emitted in the background (never inside the caller's stack).
      await expect.poll(() => warnings.map((warning) => warning.code)).toContain('ERR_MEMCACHED_STORE_LEGACY_DECRYPT');
    });
  },
);
