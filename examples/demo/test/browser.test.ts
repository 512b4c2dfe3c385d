import type { Store } from 'express-session';
import { PostgresStore } from '@session-stores/postgres';
import { SqliteStore } from '@session-stores/sqlite';
import { backendForTests, backendTitle, isStrictMode } from '@session-stores/test-servers';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, findChromium, startDemoProcess } from './browser-support';

/**
 * The demo page in a real headless browser, on SQLite and on PostgreSQL: two users (two browser
 * contexts) log in, touch, save, see the app process restart with their cookies kept, regenerate
 * and log out, and the record the page shows is the one the backend holds. It saves a screenshot
 * under examples/demo/.tmp/ (the README's one is a copy of the SQLite run's).
 */

const chromiumPath = findChromium();
const NO_CHROMIUM = 'no chromium: run scripts/install-chromium.sh (or set CHROMIUM_PATH)';
if (!chromiumPath) {
  if (isStrictMode()) throw new Error(`the demo's browser test is required in strict mode: ${NO_CHROMIUM}`);
  console.warn(`[demo] browser test skipped: ${NO_CHROMIUM}`);
}

const SECRET = 'demo browser test secret';
const OUTPUT_DIR = fileURLToPath(new URL('../.tmp/', import.meta.url));
mkdirSync(OUTPUT_DIR, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'demo-browser-'));
const postgres = chromiumPath ? await backendForTests('postgres') : null;

interface Backend {
  title: string;
  name: string;
  /** The app's environment for this backend, as a user would set it. */
  env: Record<string, string>;
  /** A store of the test's own on the same data, to check what the page shows. */
  direct(): Store & { inspect(sid: string): Promise<unknown>; close(): Promise<void> };
  storeClass: string;
}

const backends: Backend[] = [
  {
    title: 'sqlite',
    name: 'sqlite',
    env: { STORE: 'sqlite', SQLITE_FILE: join(dir, 'sessions.db') },
    direct: () => new SqliteStore({ filename: join(dir, 'sessions.db') }) as never,
    storeClass: 'SqliteStore',
  },
  {
    title: backendTitle('postgres', postgres),
    name: 'postgres',
    env: { STORE: 'postgres', DATABASE_URL: postgres?.url ?? '' },
    direct: () => new PostgresStore({ connectionString: postgres!.url, createTableIfMissing: true }) as never,
    storeClass: 'PostgresStore',
  },
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let browser: Browser;
beforeAll(async () => {
  if (chromiumPath) browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** Clicks an action button and waits for its entry in the change log (`count` entries of it in all). */
async function act(page: Page, action: string, count = 1): Promise<string> {
  await page.click(`[data-action="${action}"]`);
  const entries = page.locator(`#log > li[data-action="${action}"]`);
  await expect.poll(() => entries.count()).toBe(count);
  return (await entries.first().textContent()) ?? '';
}

async function login(page: Page, username: string): Promise<string> {
  await page.fill('input[name=username]', username);
  await page.click('#login button[type=submit]');
  await page.locator('#log > li[data-action="login"]').waitFor();
  return (await page.locator('#log > li[data-action="login"]').first().textContent()) ?? '';
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  expect(errors).toEqual([]);
  return page;
}

const PHONE_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();

describe.skipIf(!chromiumPath)(
  `demo page in headless chromium${chromiumPath ? '' : ` (skipped: ${NO_CHROMIUM})`}`,
  () => {
    describe.each(backends)('on $title', (backend) => {
      const skip = backend.name === 'postgres' && !postgres;
      let app: DemoProcess;
      let direct: ReturnType<Backend['direct']>;

      beforeAll(async () => {
        if (skip) return;
        app = await startDemoProcess({ SESSION_SECRET: SECRET, ...backend.env });
        direct = backend.direct();
      });
      afterAll(async () => {
        await app?.stop();
        await direct?.close();
      });

      it.skipIf(skip)(
        'two users log in, touch, save, log out a second device of one of them everywhere else, survive a restart, regenerate and log out',
        async () => {
          const ada = await browser.newContext({ viewport: { width: 1200, height: 900 } });
          const bob = await browser.newContext();
          try {
            let page = await open(ada, app.url);
            const adaAgent = await page.evaluate(() => navigator.userAgent);
            expect(await text(page, '#store-name')).toBe(backend.storeClass);
            expect(await text(page, '#session')).toContain('No session yet');
            expect(await page.isEnabled('[data-action="touch"]')).toBe(false);

            // Log in: a record appears, and it is the one the backend holds.
            expect(await login(page, 'ada')).toContain('record created');
            expect(await text(page, '#username')).toBe('ada');
            const sid = await text(page, '#sid');
            const held = (await direct.inspect(sid)) as { location: string; expiry: string; expiresAt: number };
            expect(await text(page, '#record-location')).toBe(held.location);
            expect(await text(page, '#record-expiry')).toBe(held.expiry);
            // The countdown runs to the expiry the backend holds, not to one the page computed.
            expect(await page.getAttribute('#record .countdown', 'data-expires-at')).toBe(String(held.expiresAt));
            expect(await text(page, '#record .countdown')).toMatch(/^23 h \d+ min \d+ s$/);

            // A second user, whose name is markup: it is shown as text, never run as HTML.
            const bobPage = await open(bob, app.url);
            const bobName = '<img src=x onerror="document.title=1">bob';
            await login(bobPage, bobName);
            expect(await text(bobPage, '#username')).toBe(bobName);
            expect(await bobPage.locator('#username img').count()).toBe(0);
            expect(await text(bobPage, '#sid')).not.toBe(sid);

            // Touch: only the expiry moves (the clock is let past the millisecond the login wrote).
            await new Promise((resolve) => setTimeout(resolve, 20));
            const touched = await act(page, 'touch');
            expect(touched).toMatch(/~ stored\.(sess\.cookie\.expires|expire)/);
            expect(touched).not.toContain('views');
            expect(touched).not.toContain('username');

            // Save: the data changes in the stored record.
            const saved = await act(page, 'save');
            expect(saved).toContain('~ stored.sess.views: 0 → 1');
            expect(JSON.parse(await text(page, '#data'))).toEqual({ username: 'ada', views: 1, device: adaAgent });

            // Ada logs in on a second device (another context of the same user): the page lists
            // both sessions of hers, with the device from each one's user agent, and not bob's.
            const adaPhone = await browser.newContext({ userAgent: PHONE_AGENT });
            try {
              const phonePage = await open(adaPhone, app.url);
              await login(phonePage, 'ada');
              const phoneSid = await text(phonePage, '#sid');
              await page.reload();
              await page.locator('body[data-ready="true"]').waitFor();
              const listed = page.locator('#user-sessions li');
              await expect.poll(() => listed.count()).toBe(2);
              expect(await text(page, `#user-sessions li[data-sid="${sid}"]`)).toContain('this browser');
              expect(await text(page, `#user-sessions li[data-sid="${phoneSid}"]`)).toMatch(
                /^Chrome on Android · last seen /,
              );

              // "Log out everywhere else": the phone's session ends, this one and bob's stay.
              expect(await page.isEnabled('#logout-others')).toBe(true);
              expect(await act(page, 'logout-others')).toContain('Logged out 1 other session(s) of ada');
              await expect.poll(() => listed.count()).toBe(1);
              expect(await direct.inspect(phoneSid)).toBeNull();
              await phonePage.reload();
              await phonePage.locator('body[data-ready="true"]').waitFor();
              expect(await text(phonePage, '#session')).toContain('No session yet');
              expect(await text(bobPage, '#username')).toBe(bobName);
            } finally {
              await adaPhone.close();
            }

            await page.screenshot({ path: join(OUTPUT_DIR, `screenshot-${backend.name}.png`), fullPage: true });

            // Restart the app process; the browsers keep their cookies (cookies are per host, not port).
            await app.stop();
            app = await startDemoProcess({ SESSION_SECRET: SECRET, ...backend.env });
            await page.close();
            page = await open(ada, app.url);
            expect(await text(page, '#sid')).toBe(sid);
            expect(JSON.parse(await text(page, '#data'))).toEqual({ username: 'ada', views: 1, device: adaAgent });
            const bobAfter = await open(bob, app.url);
            expect(await text(bobAfter, '#username')).toBe(bobName);

            // Regenerate: a new sid with the same data, and the old record is gone.
            const regenerated = await act(page, 'regenerate');
            const newSid = await text(page, '#sid');
            expect(newSid).not.toBe(sid);
            expect(regenerated).toContain(`the old sid ${sid} no longer has a record`);
            expect(await direct.inspect(sid)).toBeNull();
            expect(JSON.parse(await text(page, '#data'))).toEqual({ username: 'ada', views: 1, device: adaAgent });

            // Log out: the record is deleted; the other user is still logged in.
            expect(await act(page, 'logout')).toContain('record deleted');
            expect(await text(page, '#session')).toContain('No session yet');
            expect(await direct.inspect(newSid)).toBeNull();
            await bobAfter.reload();
            await bobAfter.locator('body[data-ready="true"]').waitFor();
            expect(await text(bobAfter, '#username')).toBe(bobName);
          } finally {
            await ada.close();
            await bob.close();
          }
        },
        120_000,
      );
    });
  },
);
