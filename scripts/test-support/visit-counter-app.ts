import express from 'express';
import session, { type Store } from 'express-session';
import { expect } from 'vitest';
import { listenOnLoopback, type LoopbackServer } from './loopback-server';

/**
 * An express app on `store` that counts visits to /visit in the session, on loopback: the app
 * the compatibility tests switch between packages under.
 */
export async function visitCounterApp(store: Store): Promise<LoopbackServer> {
  const application = express();
  application.use(session({ store, secret: 'compat-secret', resave: false, saveUninitialized: false }));
  application.get('/visit', (req, res) => {
    const data = req.session as unknown as { visits?: number };
    data.visits = (data.visits ?? 0) + 1;
    res.json({ visits: data.visits });
  });
  return listenOnLoopback(application);
}

/** One visit to a `visitCounterApp`, with `cookie` if given; the cookie to send next (new or the same). */
export async function visit(url: string, cookie?: string): Promise<{ visits: number; cookie: string | undefined }> {
  const response = await fetch(`${url}/visit`, { headers: cookie ? { cookie } : {} });
  const setCookie = response.headers.get('set-cookie')?.split(';')[0];
  return { visits: ((await response.json()) as { visits: number }).visits, cookie: setCookie ?? cookie };
}

/**
 * A user who visited twice through an app on `first` is still logged in (the third visit) once
 * the app runs on `second`: the switch between packages the compatibility tests promise.
 */
export async function expectSwitchKeepsVisits(first: Store, second: Store): Promise<void> {
  const before = await visitCounterApp(first);
  const one = await visit(before.url);
  const two = await visit(before.url, one.cookie);
  expect(two.visits).toBe(2);
  await before.close();

  const after = await visitCounterApp(second);
  expect((await visit(after.url, two.cookie)).visits).toBe(3);
  await after.close();
}
