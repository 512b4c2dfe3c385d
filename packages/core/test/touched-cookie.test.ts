import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { StoreErrorCode } from '../src';
import { PruningStore, sessionExpiringIn } from './map-store';

describe('touchedCookieJson', () => {
  it('gives the cookie touch was given, as JSON', () => {
    const session = sessionExpiringIn(60_000);
    expect(JSON.parse(new PruningStore().cookieJson(session)!)).toEqual(JSON.parse(JSON.stringify(session.cookie)));
  });

  it('gives null when the session has no cookie object', () => {
    const store = new PruningStore();
    expect(store.cookieJson({} as SessionData)).toBeNull();
    expect(store.cookieJson({ cookie: null } as unknown as SessionData)).toBeNull();
  });

  it('reports a cookie JSON cannot hold as ERR_SESSION_STORE_SERIALIZE, as set does for a session', () => {
    const session = { cookie: { originalMaxAge: 10n } } as unknown as SessionData;
    expect(() => new PruningStore().cookieJson(session)).toThrow(
      expect.objectContaining({
        code: StoreErrorCode.serialize,
        message: expect.stringMatching(/^MapStore\.touch failed: the cookie cannot be serialized: /),
      }),
    );
  });
});
