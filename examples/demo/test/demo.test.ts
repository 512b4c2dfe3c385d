import { SqliteStore } from '@session-stores/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { COOKIE_NAME, createApp } from '../src/app';
import { escapeHtml } from '../src/html';
import { storeFromEnv } from '../src/store-from-env';

const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const SECRET = 'demo test secret';

interface Running {
  url: string;
  store: SqliteStore;
  stop(): Promise<void>;
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

/** The demo app with a SQLite store on `filename`, listening on a free port of 127.0.0.1. */
async function start(filename: string): Promise<Running> {
  const store = new SqliteStore({ filename });
  const app = createApp({ store, secret: SECRET, storeLabel: 'a test file' });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const instance: Running = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
  running.push(instance);
  return instance;
}

/** Keeps the session cookie between requests, as a browser does. */
class CookieJar {
  private cookie: string | undefined;

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...init.headers },
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair = ''] = setCookie.split(';');
      const cleared = /expires=Thu, 01 Jan 1970/i.test(setCookie) || pair.endsWith('=');
      this.cookie = cleared ? undefined : pair;
    }
    return response;
  }

  /** The sid inside the signed cookie value `s:<sid>.<signature>`. */
  get sid(): string | undefined {
    if (!this.cookie) return undefined;
    const value = decodeURIComponent(this.cookie.slice(COOKIE_NAME.length + 1));
    return value.slice(2, value.lastIndexOf('.'));
  }

  get value(): string | undefined {
    return this.cookie;
  }
}

const visits = (html: string) => Number(/<strong id="views">(\d+)<\/strong>/.exec(html)?.[1]);
const login = (jar: CookieJar, url: string, username: string) =>
  jar.fetch(`${url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe('demo app', () => {
  it('counts visits across requests and across a restart on the same SQLite file', async () => {
    const file = join(dir, `sessions-${fileCount++}.db`);
    const jar = new CookieJar();
    let app = await start(file);
    expect(visits(await (await jar.fetch(`${app.url}/`)).text())).toBe(1);
    expect(jar.value).toMatch(new RegExp(`^${COOKIE_NAME.replace('.', '\\.')}=s%3A`));
    expect(visits(await (await jar.fetch(`${app.url}/`)).text())).toBe(2);

    await app.stop();
    running.splice(running.indexOf(app), 1);
    app = await start(file);
    expect(visits(await (await jar.fetch(`${app.url}/`)).text())).toBe(3);

    // A client without the cookie starts from 1: the count belongs to the session.
    expect(visits(await (await new CookieJar().fetch(`${app.url}/`)).text())).toBe(1);
  });

  it('login stores the name under a new sid; logout destroys the session', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    await jar.fetch(`${app.url}/`);
    const anonymousSid = jar.sid!;
    expect(await app.store.get(anonymousSid)).toMatchObject({ views: 1 });

    const response = await login(jar, app.url, 'ada');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const loggedInSid = jar.sid!;
    expect(loggedInSid).not.toBe(anonymousSid);
    expect(await app.store.get(anonymousSid)).toBeNull();
    expect(await app.store.get(loggedInSid)).toMatchObject({ username: 'ada', views: 1 });

    const page = await (await jar.fetch(`${app.url}/`)).text();
    expect(page).toContain('Logged in as <strong>ada</strong>');
    expect(page).toContain('action="/logout"');
    expect(visits(page)).toBe(2);

    const logout = await jar.fetch(`${app.url}/logout`, { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(jar.value).toBeUndefined();
    expect(await app.store.get(loggedInSid)).toBeNull();
    const after = await (await jar.fetch(`${app.url}/`)).text();
    expect(after).toContain('action="/login"');
    expect(visits(after)).toBe(1);
  });

  it('escapes the username, which is user input', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    const name = `<script>alert("x")</script> & 'quotes'`;
    await login(jar, app.url, name);
    const page = await (await jar.fetch(`${app.url}/`)).text();
    expect(page).toContain(
      `Logged in as <strong>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</strong>`,
    );
    expect(page).not.toContain('<script>');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('refuses an empty or overlong name without logging in', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    for (const username of ['   ', 'x'.repeat(65)]) {
      const response = await login(jar, app.url, username);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Please enter a name of 1 to 64 characters.');
    }
    expect(await app.store.length()).toBe(0);
  });
});

describe('demo store selection', () => {
  it('defaults to SQLite in the given file', async () => {
    const filename = join(dir, 'nested', 'dir', 'sessions.db');
    const { store, label } = await storeFromEnv({ SQLITE_FILE: filename });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(label).toBe(`the SQLite file ${filename}`);
    await store.close?.();
  });

  it.each([
    ['redis', 'REDIS_URL'],
    ['mongo', 'MONGO_URL'],
    ['postgres', 'DATABASE_URL'],
    ['memcached', 'MEMCACHED_SERVERS'],
  ])('STORE=%s without %s says which variable to set', async (kind, variable) => {
    await expect(storeFromEnv({ STORE: kind })).rejects.toThrow(new RegExp(`^STORE=${kind} needs ${variable}: `));
  });

  it('an unknown STORE lists the choices', async () => {
    await expect(storeFromEnv({ STORE: 'couchdb' })).rejects.toThrow(
      'STORE=couchdb is not one of sqlite, redis, mongo, postgres, memcached',
    );
  });
});
