import { SqliteStore } from '@session-stores/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { COOKIE_NAME, createApp } from '../src/app';
import { CookieJar } from './cookie-jar';
import { escapeHtml, renderPage } from '../src/html';
import type { SessionView } from '../src/session-view';
import { storeFromEnv } from '../src/store-from-env';
import { demoUserId } from '../src/user-sessions';

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
async function start(filename: string, options: { userId?: typeof demoUserId } = {}): Promise<Running> {
  const store = new SqliteStore({ filename, ...options });
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

const form = (body: Record<string, string> = {}) => ({
  method: 'POST',
  body: new URLSearchParams(body),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const login = (jar: CookieJar, url: string, username: string) => jar.fetch(`${url}/login`, form({ username }));
const save = (jar: CookieJar, url: string) => jar.fetch(`${url}/save`, form());
/** The page's view of the session, read around express-session (it never touches). */
const state = async (jar: CookieJar, url: string) => (await (await jar.fetch(`${url}/state`)).json()) as SessionView;

describe('demo app', () => {
  it('counts saves across requests and across a restart on the same SQLite file', async () => {
    const file = join(dir, `sessions-${fileCount++}.db`);
    const jar = new CookieJar();
    let app = await start(file);
    expect(await state(jar, app.url)).toMatchObject({ sid: null, data: null, record: null });
    expect((await save(jar, app.url)).status).toBe(303);
    expect(jar.value).toMatch(new RegExp(`^${COOKIE_NAME.replace('.', '\\.')}=s%3A`));
    await save(jar, app.url);
    expect((await state(jar, app.url)).data).toEqual({ views: 2 });

    await app.stop();
    running.splice(running.indexOf(app), 1);
    app = await start(file);
    await save(jar, app.url);
    expect((await state(jar, app.url)).data).toEqual({ views: 3 });

    // A client without the cookie has no session: the count belongs to the session.
    expect((await state(new CookieJar(), app.url)).data).toBeNull();
  });

  it('the state shows the record through store.inspect, and reading it never touches the session', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    await save(jar, app.url);
    const first = await state(jar, app.url);
    expect(first.sid).toBe(jar.sid);
    expect(first.record).toEqual(await app.store.inspect(jar.sid!));
    expect(first.record).toMatchObject({ backend: 'SQLite', location: `row sid = '${jar.sid}' of table "sessions"` });
    expect(first.logoutOthers).toEqual({ available: false, reason: expect.stringContaining('sessions-by-user') });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Reading again leaves the stored expiry where it was; a touch request moves it.
    expect((await state(jar, app.url)).record).toEqual(first.record);
    const touched = await jar.fetch(`${app.url}/touch`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(await touched.json()).toMatchObject({ action: 'touch' });
    const after = await state(jar, app.url);
    expect(after.record!.expiresAt).toBeGreaterThan(first.record!.expiresAt!);
    expect(after.data).toEqual(first.data);
  });

  it('a cookie with a wrong signature shows no session', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    await save(jar, app.url);
    const forged = await fetch(`${app.url}/state`, { headers: { cookie: `${COOKIE_NAME}=s%3A${jar.sid}.forged` } });
    expect(await forged.json()).toMatchObject({ sid: null, record: null });
  });

  it('login stores the name under a new sid; regenerate keeps the data; logout destroys the session', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`));
    const jar = new CookieJar();
    await save(jar, app.url);
    const anonymousSid = jar.sid!;
    expect(await app.store.get(anonymousSid)).toMatchObject({ views: 1 });

    const response = await login(jar, app.url, 'ada');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const loggedInSid = jar.sid!;
    expect(loggedInSid).not.toBe(anonymousSid);
    expect(await app.store.get(anonymousSid)).toBeNull();
    expect(await app.store.get(loggedInSid)).toMatchObject({ username: 'ada', views: 1 });

    const regenerated = await jar.fetch(`${app.url}/regenerate`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(await regenerated.json()).toMatchObject({ action: 'regenerate', previousSid: loggedInSid });
    expect(jar.sid).not.toBe(loggedInSid);
    expect(await app.store.get(loggedInSid)).toBeNull();
    expect(await app.store.get(jar.sid!)).toMatchObject({ username: 'ada', views: 1 });

    const others = await jar.fetch(`${app.url}/logout-others`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(others.status).toBe(409);
    expect(await others.json()).toMatchObject({ message: expect.stringContaining('sessions-by-user') });

    const lastSid = jar.sid!;
    const logout = await jar.fetch(`${app.url}/logout`, { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(jar.value).toBeUndefined();
    expect(await app.store.get(lastSid)).toBeNull();
    expect(await state(jar, app.url)).toMatchObject({ sid: null, record: null });
  });

  it('with a store that keeps sessions by user, logout-others ends the other devices of the same user only', async () => {
    const app = await start(join(dir, `sessions-${fileCount++}.db`), { userId: demoUserId });
    const laptop = new CookieJar();
    const phone = new CookieJar();
    const someoneElse = new CookieJar();
    await login(laptop, app.url, 'ada');
    await login(phone, app.url, 'ada');
    await login(someoneElse, app.url, 'grace');
    const view = await state(laptop, app.url);
    expect(view.logoutOthers).toEqual({ available: true, reason: null });
    expect(view.userSessions?.map((entry) => entry.sid).sort()).toEqual([laptop.sid, phone.sid].sort());
    expect(view.userSessions?.find((entry) => entry.sid === laptop.sid)?.current).toBe(true);

    const others = await laptop.fetch(`${app.url}/logout-others`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(await others.json()).toMatchObject({ message: 'Logged out 1 other session(s) of ada.' });
    expect(await app.store.get(phone.sid!)).toBeNull();
    expect(await app.store.get(laptop.sid!)).toMatchObject({ username: 'ada' });
    expect(await app.store.get(someoneElse.sid!)).toMatchObject({ username: 'grace' });
    expect((await state(phone, app.url)).sid).toBeNull();
    expect((await state(laptop, app.url)).userSessions?.map((entry) => entry.sid)).toEqual([laptop.sid]);
  });

  it('the page escapes what it writes itself', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
    const page = renderPage({ name: 'X', label: '<script>x</script>', kind: null });
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x');
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
    const { store, label, kind } = await storeFromEnv({ SQLITE_FILE: filename });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(label).toBe(`the SQLite file ${filename}`);
    expect(kind).toBe('sqlite');
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
