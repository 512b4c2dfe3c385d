/** A response as the tests read it. */
export interface ClientResponse {
  status: number;
  body: Record<string, unknown>;
  setCookies: string[];
}

/**
 * A browser in miniature: it keeps the cookies a server sets (name=value, dropping expired
 * ones) and sends them back. Enough for one host and a session cookie; no domains or paths.
 */
export class CookieClient {
  private readonly jar = new Map<string, string>();

  constructor(private baseUrl: string) {}

  /** Points the client at another server (an app restart, a second instance), keeping its cookies. */
  useServer(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async request(method: 'GET' | 'POST', path: string): Promise<ClientResponse> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: cookie ? { cookie } : {},
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const setCookies = response.headers.getSetCookie();
    for (const header of setCookies) this.store(header);
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    if (response.status !== 200)
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return { status: response.status, body, setCookies };
  }

  private store(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const equals = pair.indexOf('=');
    if (equals <= 0) return;
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    const expired = attributes.some((attribute) => {
      const [key = '', attributeValue = ''] = attribute.split('=');
      if (key.toLowerCase() === 'max-age') return Number(attributeValue) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(attributeValue) <= Date.now();
      return false;
    });
    if (expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}
