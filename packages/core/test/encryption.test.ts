import { describe, expect, it } from 'vitest';
import { SessionCipher } from '../src';
import { MapStore, sessionExpiringIn } from './map-store';

const secretA = 'a-first-secret-that-is-long-enough';
const secretB = 'a-second-secret-that-is-long-enough';

describe('SessionCipher', () => {
  it('round-trips and never stores the plaintext', () => {
    const cipher = new SessionCipher({ secret: secretA });
    const stored = cipher.encrypt('sid-1', '{"user":"alice"}');
    expect(stored).not.toContain('alice');
    expect(JSON.parse(stored)).toHaveProperty('ss_encrypted');
    const token = (JSON.parse(stored) as { ss_encrypted: string }).ss_encrypted;
    expect(cipher.decrypt('sid-1', token)).toBe('{"user":"alice"}');
  });

  it('binds the ciphertext to its sid', () => {
    const cipher = new SessionCipher({ secret: secretA });
    const token = (JSON.parse(cipher.encrypt('sid-1', '{}')) as { ss_encrypted: string }).ss_encrypted;
    expect(() => cipher.decrypt('sid-2', token)).toThrow();
  });

  it('decrypts with every secret of the list and encrypts with the first (rotation)', () => {
    const old = new SessionCipher({ secret: secretA });
    const rotated = new SessionCipher({ secret: [secretB, secretA] });
    const oldToken = (JSON.parse(old.encrypt('s', '{"v":1}')) as { ss_encrypted: string }).ss_encrypted;
    expect(rotated.decrypt('s', oldToken)).toBe('{"v":1}');
    const newToken = (JSON.parse(rotated.encrypt('s', '{"v":2}')) as { ss_encrypted: string }).ss_encrypted;
    expect(() => old.decrypt('s', newToken)).toThrow(/unknown secret/);
  });

  it('rejects short or missing secrets at construction', () => {
    expect(() => new SessionCipher({ secret: 'short' })).toThrow(TypeError);
    expect(() => new SessionCipher({ secret: [] })).toThrow(TypeError);
    expect(() => new SessionCipher({ secret: 42 as never })).toThrow(/must be a string or a Buffer/);
  });
});

describe('a store with encryption', () => {
  it('stores ciphertext and reads the session back', async () => {
    const store = new MapStore({ encryption: { secret: secretA } });
    await store.set('sid', sessionExpiringIn(60_000, { user: 'alice' }));
    expect(store.records.get('sid')?.payload).not.toContain('alice');
    expect(await store.get('sid')).toMatchObject({ user: 'alice' });
  });

  it('treats tampered data as a miss and reports it through decodeError', async () => {
    const store = new MapStore({ encryption: { secret: secretA } });
    const events: unknown[] = [];
    store.on('decodeError', (event) => events.push(event));
    await store.set('sid', sessionExpiringIn(60_000, { user: 'alice' }));
    const record = store.records.get('sid')!;
    // Flip one character in the middle of the ciphertext (the last one may be base64 padding bits).
    const middle = Math.floor(record.payload.length / 2);
    const flipped =
      record.payload.slice(0, middle) + (record.payload[middle] === 'A' ? 'B' : 'A') + record.payload.slice(middle + 1);
    store.records.set('sid', { ...record, payload: flipped });
    expect(await store.get('sid')).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sid: 'sid' });
  });

  it('refuses plaintext records unless acceptPlaintext is on', async () => {
    const plain = new MapStore();
    await plain.set('sid', sessionExpiringIn(60_000, { n: 1 }));
    const strict = new MapStore({ encryption: { secret: secretA } });
    const lenient = new MapStore({ encryption: { secret: secretA, acceptPlaintext: true } });
    for (const store of [strict, lenient]) store.records.set('sid', plain.records.get('sid')!);
    expect(await strict.get('sid')).toBeNull();
    expect(await lenient.get('sid')).toMatchObject({ n: 1 });
  });

  it('does not read encrypted records without a secret', async () => {
    const encrypted = new MapStore({ encryption: { secret: secretA } });
    await encrypted.set('sid', sessionExpiringIn(60_000));
    const plain = new MapStore();
    plain.records.set('sid', encrypted.records.get('sid')!);
    expect(await plain.get('sid')).toBeNull();
  });
});
