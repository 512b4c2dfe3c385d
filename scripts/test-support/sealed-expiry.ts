import { SessionCipher, type SessionStoreWarning } from '@session-stores/core';
import type { SessionData } from 'express-session';
import { expect, it } from 'vitest';
import { session, sid as randomSid } from './sessions';

/** The 32-byte key the cases encrypt with, so that a test can seal a payload the store reads. */
export const SEALED_EXPIRY_KEY = Buffer.alloc(32, 5);

/**
 * A v1 ciphertext (the format before per-deployment salts, raw keys and the sealed expiry),
 * written by the code of that time for the sid "fixture-sid" with the passphrase below:
 * deployed apps hold such records, and must not log their users out.
 */
export const V1_FIXTURE = {
  sid: 'fixture-sid',
  passphrase: 'a-first-secret-that-is-long-enough',
  user: 'alice',
  stored:
    '{"ss_encrypted":"v1.dBz55aC6.J86lms_SkMnsGpIq.NhE0vn83BkBQuuqwCzKaZsA6qvR4ixEimxYOnQPj7O1ShvvoK2biYJP3AdHWWASJwq48AcVIHfAEHkObaN3XwtOvgfNDT6ARKCmXdy-pNTw0Q0mXpjgNjy4O-8VNOgpsknIIDIPN_wPtCIU"}',
};

interface EncryptedStore {
  get(sid: string): Promise<SessionData | null>;
  set(sid: string, session: SessionData): Promise<void>;
  touch(sid: string, session: SessionData): Promise<void>;
  on(event: 'warning', listener: (warning: SessionStoreWarning) => void): unknown;
}

/** How the cases reach one backend behind the store's back, as someone who can write to it would. */
export interface SealedExpiryBackend<S extends EncryptedStore> {
  /** A store of this backend with these `encryption` options (closed by the test file). */
  make(encryption: { secret: unknown }): S;
  /** The stored payload of `sid`, as text. */
  readPayload(store: S, sid: string): Promise<string>;
  /** Replaces the stored payload of an existing `sid`, leaving its expiry as it is. */
  replacePayload(store: S, sid: string, payload: string): Promise<void>;
  /** Moves the expiry stored beside the data `ms` later; absent for a backend that cannot show its expiry (memcached). */
  extendStoredExpiry?(store: S, sid: string, ms: number): Promise<void>;
}

const YEAR_MS = 365 * 86_400_000;
const expiresMs = (value: SessionData | null): number => new Date(value!.cookie.expires!).getTime();

/** The sealed-expiry cases, registered in the calling describe block. */
export function sealedExpiryCases<S extends EncryptedStore>(backend: SealedExpiryBackend<S>): void {
  const make = () => {
    const store = backend.make({ secret: SEALED_EXPIRY_KEY });
    const warnings: SessionStoreWarning[] = [];
    store.on('warning', (warning) => warnings.push(warning));
    return { store, warnings };
  };

  it('an encrypted session holds no plaintext, and reads back', async () => {
    const { store } = make();
    const id = randomSid();
    await store.set(id, session(60_000, { user: 'visible only when decrypted' }));
    expect(await backend.readPayload(store, id)).not.toContain('visible only');
    expect(await store.get(id)).toMatchObject({ user: 'visible only when decrypted' });
  });

  if (backend.extendStoredExpiry) {
    it('a stored expiry moved a year on is read as the sealed one, with a warning that names no sid', async () => {
      const { store, warnings } = make();
      const id = randomSid();
      const written = session(60_000, { user: 'ada' });
      await store.set(id, written);
      await backend.extendStoredExpiry!(store, id, YEAR_MS);
      const read = await store.get(id);
      expect(read).toMatchObject({ user: 'ada' });
      expect(expiresMs(read)).toBeLessThanOrEqual(new Date(written.cookie.expires as unknown as string).getTime() + 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.code)).toContain('ERR_SESSION_STORE_EXPIRY_MISMATCH');
      for (const warning of warnings) expect(warning.message).not.toContain(id);
    });
  }

  it('a session whose sealed expiry has passed is no session, though the stored expiry is later', async () => {
    const { store } = make();
    const id = randomSid();
    await store.set(id, session(60_000, { user: 'ada' }));
    const cipher = new SessionCipher({ secret: SEALED_EXPIRY_KEY });
    const ended = Date.now() - 60_000;
    await backend.replacePayload(
      store,
      id,
      cipher.encrypt(id, JSON.stringify(session(-60_000, { user: 'ada' })), ended),
    );
    if (backend.extendStoredExpiry) await backend.extendStoredExpiry(store, id, YEAR_MS);
    expect(await store.get(id)).toBeNull();
  });

  it('touch moves the sealed expiry with the stored one: the session lives as long as the touch says', async () => {
    const { store, warnings } = make();
    const id = randomSid();
    await store.set(id, session(60_000, { user: 'ada' }));
    const touched = session(3_600_000);
    await store.touch(id, touched);
    const read = await store.get(id);
    expect(read).toMatchObject({ user: 'ada' });
    expect(expiresMs(read)).toBeGreaterThan(Date.now() + 3_000_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('touch of a session without a cookie moves the sealed expiry too (the record is rewritten)', async () => {
    const { store, warnings } = make();
    const id = randomSid();
    await store.set(id, session(60_000, { user: 'ada' }));
    // No cookie: the store's default lifetime (a day or more on every store) applies from now.
    await store.touch(id, { user: 'ada' } as unknown as SessionData);
    expect(await store.get(id)).toMatchObject({ user: 'ada' });
    // The expiry sealed in the envelope (`v2.<key id>.<salt>.<expiry>...`) moved with the touch.
    const token = (JSON.parse(await backend.readPayload(store, id)) as { ss_encrypted: string }).ss_encrypted;
    expect(Number(token.split('.')[3])).toBeGreaterThan(Date.now() + 3_600_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('a record the previous format (v1) wrote still reads, with its old passphrase kept to decrypt', async () => {
    const store = backend.make({ secret: [SEALED_EXPIRY_KEY, V1_FIXTURE.passphrase] });
    store.on('warning', () => {});
    await store.set(V1_FIXTURE.sid, session(60_000));
    await backend.replacePayload(store, V1_FIXTURE.sid, V1_FIXTURE.stored);
    expect(await store.get(V1_FIXTURE.sid)).toMatchObject({ user: V1_FIXTURE.user });
  });
}
