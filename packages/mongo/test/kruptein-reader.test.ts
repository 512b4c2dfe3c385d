import { createRequire } from 'node:module';
import { createKrupteinAdapter } from 'connect-mongo';
import { describe, expect, it } from 'vitest';
import { KrupteinReader } from '../src/kruptein-reader';

// Ciphertexts made by connect-mongo 6.0.0's own kruptein adapter (kruptein 3.0.8), read by ours.
const session = { cookie: { originalMaxAge: 60_000, expires: '2030-01-01T00:00:00.000Z', path: '/' }, user: 'ada é ✓' };
const text = JSON.stringify(session);

describe('KrupteinReader', () => {
  it.each([
    ['defaults', {}],
    ['aes-128-gcm with sha256 in hex', { algorithm: 'aes-128-gcm', hashing: 'sha256', encodeas: 'hex' as const }],
    ['aes-256-cbc (no AEAD)', { algorithm: 'aes-256-cbc' }],
  ])('reads what connect-mongo encrypted with %s', async (_title, options) => {
    const stored = await createKrupteinAdapter({ secret: 'squirrel', ...options }).encrypt(text);
    const reader = new KrupteinReader({ secret: 'squirrel', ...options });
    expect(reader.recognises(stored)).toBe(true);
    expect(JSON.parse(reader.decrypt(stored))).toEqual(session);
  });

  it('reads what connect-mongo 5 encrypted with the kruptein 3.1 it installs (other rounds, other HMAC input)', async () => {
    const fromV5 = createRequire(createRequire(import.meta.url).resolve('connect-mongo-5/package.json'));
    expect((fromV5('kruptein/package.json') as { version: string }).version).toMatch(/^3\.1\./);
    const kruptein = fromV5('kruptein') as (options: object) => {
      set(secret: string, plaintext: string, cb: (error: unknown, ciphertext: string) => void): void;
    };
    // kruptein 3.1 refuses secrets without upper case, digits and symbols.
    const secret = 'Squirrel!Secret-of-the-App#2024';
    const stored = await new Promise<string>((resolve, reject) =>
      kruptein({ secret, hashing: 'sha512' }).set(secret, text, (error, ciphertext) =>
        error ? reject(new Error(String(error))) : resolve(ciphertext),
      ),
    );
    expect(JSON.parse(new KrupteinReader({ secret }).decrypt(stored))).toEqual(session);
  });

  it('reads the stringify: false form (the JSON of the session object)', async () => {
    const stored = await createKrupteinAdapter({ secret: 'squirrel' }).encrypt(JSON.stringify(session));
    expect(new KrupteinReader({ secret: 'squirrel' }).decrypt(stored)).toBe(text);
  });

  it('refuses a wrong secret and a tampered ciphertext with an error, never garbage', async () => {
    const stored = await createKrupteinAdapter({ secret: 'squirrel' }).encrypt(text);
    expect(() => new KrupteinReader({ secret: 'other' }).decrypt(stored)).toThrow(/secret does not match/);
    const bytes = Buffer.from(stored, 'base64');
    bytes[10] = bytes[10]! ^ 1; // inside the first field, the ciphertext's text, which the HMAC covers
    expect(() => new KrupteinReader({ secret: 'squirrel' }).decrypt(bytes.toString('base64'))).toThrow();
  });

  it('does not recognise JSON, our envelope or random text', () => {
    const reader = new KrupteinReader({ secret: 'squirrel' });
    expect(reader.recognises(text)).toBe(false);
    expect(reader.recognises('{"ss_encrypted":"v1.x"}')).toBe(false);
    expect(reader.recognises('bm90IGRlcg==')).toBe(false);
    expect(() => reader.decrypt(text)).toThrow(/not a session encrypted by connect-mongo/);
  });
});
