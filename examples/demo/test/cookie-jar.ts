import { COOKIE_NAME } from '../src/app';

/** Keeps the session cookie between requests, as a browser does. */
export class CookieJar {
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
