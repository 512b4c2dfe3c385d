import type { Express } from 'express';
import { listenOnLoopback } from './loopback-server';

/**
 * One visit to `app` on loopback, as a browser with `cookie` (or none) makes it: the page, and
 * the session cookie the visitor holds after it (the one set, else the one sent). For drop-in
 * tests that follow one visitor across a switch of store packages.
 */
export async function visitOnce(app: Express, cookie?: string): Promise<{ text: string; cookie: string }> {
  const server = await listenOnLoopback(app);
  try {
    const response = await fetch(`${server.url}/`, { headers: cookie ? { cookie } : {} });
    const set = response.headers.get('set-cookie')?.split(';')[0];
    return { text: await response.text(), cookie: set ?? cookie ?? '' };
  } finally {
    await server.close();
  }
}
