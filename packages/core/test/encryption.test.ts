import { describe, expect, it } from 'vitest';
import { SessionCipher, type SessionStoreWarning } from '../src';
import { envelopeToken } from '../src/encryption';
import { MapStore, sessionExpiringIn } from './map-store';

const secretA = 'a-first-secret-that-is-long-enough';
const secretB = 'a-second-secret-that-is-long-enough';

const token = (stored: string) => (JSON.parse(stored) as { ss_encrypted: string }).ss_encrypted;
const KEY = Buffer.alloc(32, 9);
const OTHER_KEY = Buffer.alloc(32, 4);
const IN_A_DAY = Date.now() + 86_400_000;

/**
 * Written by the v1 format (before per-deployment salts, raw keys and the sealed expiry), with
 * the code of that time, for the sid "fixture-sid": deployed apps hold such records.
 */
const V1_FIXTURES = [
  {
    secret: secretA,
    user: 'alice',
    stored:
      '{"ss_encrypted":"v1.dBz55aC6.J86lms_SkMnsGpIq.NhE0vn83BkBQuuqwCzKaZsA6qvR4ixEimxYOnQPj7O1ShvvoK2biYJP3AdHWWASJwq48AcVIHfAEHkObaN3XwtOvgfNDT6ARKCmXdy-pNTw0Q0mXpjgNjy4O-8VNOgpsknIIDIPN_wPtCIU"}',
  },
  {
    // 16 characters: accepted then, too weak to encrypt with now, still read when kept after a strong one.
    secret: 'sixteen-chars-ok',
    user: 'bob',
    stored:
      '{"ss_encrypted":"v1.xcYhRMDz.uYRjE-h_st_KJKnQ.WDK-B6V2ENZDZSD-yzGBAVY-wfRd-2Iui2cju7iRIEnUz4IxgHOmqnpf4w_hrigGDJhZjh_1Hp4EuGsztSnZ6OyGJVckZfBNehlMMOqyaveDj7tuZvMNikCf65mPdsz9eqzDYgjVjUyk"}',
  },
  {
    // A 32-byte Buffer was a passphrase in v1; it is a raw key now, and its v1 records still open.
    secret: Buffer.alloc(32, 7),
    user: 'carol',
    stored:
      '{"ss_encrypted":"v1.rgQ7Uzcm.sExHFhGf6qZZtUla.ZozGO627qudkhRTgZ6eORrEaPVswVu6F2QBbQje_a3jfizSRmulRsoK_wopr56lOQmUROx6MuyoSf5o2DWHJu_BUzdom_qXhYdmPtmE1GNH-3cFGPTviYVQLWyC83jBYyE9TYnP4JnO0Xdk"}',
  },
];

/**
 * Written by the current (v2) format for the sid "fixture-sid", expiring in 2100: a raw key and
 * a passphrase are named by an 8-character id, which every later version must still find.
 */
const V2_FIXTURES = [
  {
    secret: KEY,
    user: 'erin',
    stored: '{"ss_encrypted":"v2.GJk5z_ae..4102444800000._c4ngaBMkvaY3JsD.e_VNS_Er_E5UzErGqtnpqvMt4fM2xNvkccDU4dhDaA"}',
  },
  {
    secret: secretA,
    user: 'frank',
    stored:
      '{"ss_encrypted":"v2.FWZxiQ0B.7mf1UwwTL2FEdz6PhKJzkw.4102444800000.jSX_m_pJBYUTWO7M.M0_ROkz7OMIyegLKKba31F7Kk77c2LwTk2iA-AMIlRM"}',
  },
];

describe('SessionCipher', () => {
  it('round-trips and never stores the plaintext', () => {
    const cipher = new SessionCipher({ secret: secretA });
    const stored = cipher.encrypt('sid-1', '{"user":"alice"}', IN_A_DAY);
    expect(stored).not.toContain('alice');
    expect(token(stored)).toMatch(/^v2\./);
    expect(cipher.decrypt('sid-1', token(stored))).toEqual({ plaintext: '{"user":"alice"}', expiresAt: IN_A_DAY });
  });

  it('binds the ciphertext to its sid and to its expiry', () => {
    const cipher = new SessionCipher({ secret: secretA });
    const sealed = token(cipher.encrypt('sid-1', '{}', IN_A_DAY));
    expect(() => cipher.decrypt('sid-2', sealed)).toThrow();
    const [version, id, salt, expires, ...rest] = sealed.split('.');
    const extended = [version, id, salt, String(Number(expires) + 365 * 86_400_000), ...rest].join('.');
    expect(() => cipher.decrypt('sid-1', extended)).toThrow(/authenticate/);
  });

  it('decrypts with every secret of the list and encrypts with the first (rotation)', () => {
    const old = new SessionCipher({ secret: secretA });
    const rotated = new SessionCipher({ secret: [{ key: KEY.toString('base64') }, secretA] });
    const oldToken = token(old.encrypt('s', '{"v":1}', IN_A_DAY));
    expect(rotated.decrypt('s', oldToken).plaintext).toBe('{"v":1}');
    const newToken = token(rotated.encrypt('s', '{"v":2}', IN_A_DAY));
    expect(() => old.decrypt('s', newToken)).toThrow(/unknown secret/);
    expect(new SessionCipher({ secret: KEY }).decrypt('s', newToken).plaintext).toBe('{"v":2}');
  });

  it('uses a raw key as it is (no salt in the envelope), and a passphrase with a salt of its own per instance', () => {
    const [, , keySalt] = token(new SessionCipher({ secret: KEY }).encrypt('s', '{}', IN_A_DAY)).split('.');
    expect(keySalt).toBe('');
    const one = token(new SessionCipher({ secret: secretA }).encrypt('s', '{}', IN_A_DAY)).split('.');
    const two = token(new SessionCipher({ secret: secretA }).encrypt('s', '{}', IN_A_DAY)).split('.');
    expect(one[2]).toMatch(/^[\w-]{22}$/);
    // Two deployments of one passphrase derive different keys: no guess is tested against both at once.
    expect(one[2]).not.toBe(two[2]);
    expect(one[1]).not.toBe(two[1]);
  });

  it('reads what another instance of the same passphrase wrote (its salt is in the envelope)', () => {
    const writer = new SessionCipher({ secret: secretA });
    const reader = new SessionCipher({ secret: [secretB, secretA] });
    expect(reader.decrypt('s', token(writer.encrypt('s', '{"w":1}', IN_A_DAY))).plaintext).toBe('{"w":1}');
  });

  it.each(V1_FIXTURES)('still opens a v1 ciphertext the previous format wrote (%#)', ({ secret, user, stored }) => {
    const cipher = new SessionCipher({ secret: [KEY, secret] });
    const opened = cipher.decrypt('fixture-sid', token(stored));
    expect(JSON.parse(opened.plaintext)).toMatchObject({ user });
    expect(opened.expiresAt).toBeNull();
    expect(() => cipher.decrypt('another-sid', token(stored))).toThrow();
  });

  it.each(V2_FIXTURES)('opens a v2 ciphertext written before (%#)', ({ secret, user, stored }) => {
    const opened = new SessionCipher({ secret: [OTHER_KEY, secret] }).decrypt('fixture-sid', token(stored));
    expect(JSON.parse(opened.plaintext)).toMatchObject({ user });
    expect(opened.expiresAt).toBe(4102444800000);
  });

  it('opens v1 records written with a base64 key given as a passphrase, once that text is given as { key }', () => {
    // Written by the v1 code with secret: Buffer.alloc(32, 9).toString('base64'), a string then.
    const stored =
      '{"ss_encrypted":"v1.oQpyN6v2.bMMPu4-qyQnt9M7I.zzr1pN0HTNez9OwUC7n2rDUBkJiqzy64eI5l83Nn_29jAqBaTp9DUvTEXZitq9k0wIfJfAs0RiGcjMFzqOU-VMWawkEqJwninTiuj1VJsPhm54LGiWHV5a3o4YtggL3BvuOjtD4Xt4WVMw"}';
    const cipher = new SessionCipher({ secret: { key: KEY.toString('base64') } });
    expect(JSON.parse(cipher.decrypt('fixture-sid', token(stored)).plaintext)).toMatchObject({ user: 'dave' });
  });

  it('accepts a 32-byte key as a Buffer or as { key } in base64 or base64url, and refuses any other size', () => {
    for (const secret of [KEY, { key: KEY.toString('base64') }, { key: KEY.toString('base64url') }, { key: KEY }]) {
      expect(
        new SessionCipher({ secret }).decrypt('s', token(new SessionCipher({ secret: KEY }).encrypt('s', '{}', 1e13))),
      ).toMatchObject({ plaintext: '{}' });
    }
    expect(() => new SessionCipher({ secret: Buffer.alloc(16) })).toThrow(
      /Buffer of 16 bytes: a Buffer is a key and must be 32/,
    );
    expect(() => new SessionCipher({ secret: { key: Buffer.alloc(31).toString('base64') } })).toThrow(
      /must be 32 bytes as base64.*got 31 bytes/,
    );
    expect(() => new SessionCipher({ secret: { key: 'not base64!' } })).toThrow(/not base64/);
  });

  it.each([
    ['short', 'keyboard cat'],
    ['16 characters of two classes', 'sixteen-chars-ok'],
    ['long but repetitive', 'x'.repeat(64)],
    ['digits and lower case, too short', 'password12345678'],
  ])('refuses a weak passphrase as the encrypting secret (%s), naming a random key instead', (_title, secret) => {
    expect(() => new SessionCipher({ secret })).toThrow(
      /encryption\.secret is too weak: .*\{ key: crypto\.randomBytes\(32\)\.toString\('base64'\) \}/,
    );
    expect(() => new SessionCipher({ secret: [secret, secretA] })).toThrow(/encryption\.secret\[0\] is too weak/);
  });

  it('accepts strong passphrases: long ones, and short ones mixing every class', () => {
    for (const secret of [secretA, 'Xj8$kLp2@Qa9#Zt5!', 'f'.repeat(0) + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'])
      expect(() => new SessionCipher({ secret })).not.toThrow();
  });

  it('keeps a weak passphrase after the first only to decrypt, with a notice', () => {
    const cipher = new SessionCipher({ secret: [secretA, 'keyboard cat'] });
    expect(cipher.notices).toEqual([
      expect.stringMatching(/encryption\.secret\[1\] is weak .*only decrypts old sessions/),
    ]);
  });

  it('rejects missing secrets at construction', () => {
    expect(() => new SessionCipher({ secret: [] })).toThrow(TypeError);
    expect(() => new SessionCipher({ secret: '' })).toThrow(TypeError);
    expect(() => new SessionCipher({ secret: 42 as never })).toThrow(/must be a passphrase \(string\), a 32-byte key/);
  });
});

describe('ciphertexts that are not what they claim', () => {
  const cipher = new SessionCipher({ secret: [KEY, secretA] });
  const sealed = token(cipher.encrypt('s', '{"n":1}', IN_A_DAY));
  const v1 = token(V1_FIXTURES[0]!.stored);
  const withPart = (text: string, index: number, value: string) =>
    text
      .split('.')
      .map((part, at) => (at === index ? value : part))
      .join('.');

  it('reads only the versions it knows, with their number of parts', () => {
    expect(() => cipher.decrypt('fixture-sid', `${v1}.extra`)).toThrow(/^malformed encrypted session$/);
    expect(() => cipher.decrypt('fixture-sid', withPart(v1, 0, 'v9'))).toThrow(/^malformed encrypted session$/);
    expect(() => cipher.decrypt('s', `${sealed}.extra`)).toThrow(/^malformed encrypted session$/);
    expect(() => cipher.decrypt('s', withPart(sealed, 0, 'v3'))).toThrow(/^malformed encrypted session$/);
    expect(() => cipher.decrypt('s', withPart(sealed, 1, ''))).toThrow(/^malformed encrypted session$/);
  });

  it('refuses a sealed expiry that is not a whole number of at most 16 digits, even when it authenticates', () => {
    for (const expiresAt of [-5, 1e16, 1e21]) {
      const odd = token(cipher.encrypt('s', '{}', expiresAt));
      expect(() => cipher.decrypt('s', odd)).toThrow(/^malformed encrypted session$/);
    }
  });

  it('refuses a nonce of another size and a body shorter than its tag before decrypting', () => {
    const shortIv = withPart(sealed, 4, Buffer.alloc(8).toString('base64url'));
    expect(() => cipher.decrypt('s', shortIv)).toThrow(/^malformed encrypted session$/);
    const shortBody = withPart(sealed, 5, Buffer.alloc(10).toString('base64url'));
    expect(() => cipher.decrypt('s', shortBody)).toThrow(/^malformed encrypted session$/);
  });

  it('opens an empty plaintext (a body that is only the tag)', () => {
    expect(cipher.decrypt('s', token(cipher.encrypt('s', '', IN_A_DAY))).plaintext).toBe('');
  });

  it('is an envelope only when the object holds the envelope field alone', () => {
    expect(envelopeToken({ ss_encrypted: sealed })).toBe(sealed);
    expect(envelopeToken({ ss_encrypted: sealed, user: 'mallory' })).toBeNull();
    expect(envelopeToken(JSON.stringify({ ss_encrypted: sealed, user: 'mallory' }))).toBeNull();
    // A JSON string that holds an envelope's text is a string, not an envelope.
    expect(envelopeToken(JSON.stringify(JSON.stringify({ ss_encrypted: sealed })))).toBeNull();
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

describe('the expiry sealed with an encrypted session', () => {
  it('a stored expiry moved later is read as the sealed one, with a warning that names no sid', async () => {
    const store = new MapStore({ encryption: { secret: KEY } });
    const warnings: SessionStoreWarning[] = [];
    store.on('warning', (warning: SessionStoreWarning) => warnings.push(warning));
    const session = sessionExpiringIn(60_000, { user: 'alice' });
    await store.set('the-sid', session);
    const record = store.records.get('the-sid')!;
    const sealed = record.expiresAt;
    store.records.set('the-sid', { ...record, expiresAt: sealed + 365 * 86_400_000 });
    const read = await store.get('the-sid');
    expect(new Date(read!.cookie.expires!).getTime()).toBe(Math.ceil(sealed));
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.code).toBe('ERR_SESSION_STORE_EXPIRY_MISMATCH');
    expect(warnings[0]!.message).not.toContain('the-sid');
  });

  it('a session whose sealed expiry has passed is no session, whatever the stored expiry says', async () => {
    const store = new MapStore({ encryption: { secret: KEY } });
    store.on('warning', () => {});
    await store.set('sid', sessionExpiringIn(60_000));
    const record = store.records.get('sid')!;
    // Written as the backend would hold it had the session ended a minute ago and someone moved its expiry a year on.
    const cipher = new SessionCipher({ secret: KEY });
    const plaintext = JSON.stringify(sessionExpiringIn(-60_000));
    store.records.set('sid', {
      payload: cipher.encrypt('sid', plaintext, Date.now() - 60_000),
      expiresAt: record.expiresAt + 365 * 86_400_000,
    });
    expect(await store.get('sid')).toBeNull();
    expect(await store.all()).toEqual([]);
  });

  it('an earlier stored expiry wins (the backend may end a session sooner), silently', async () => {
    const store = new MapStore({ encryption: { secret: KEY } });
    const warnings: unknown[] = [];
    store.on('warning', (warning) => warnings.push(warning));
    await store.set('sid', sessionExpiringIn(60_000));
    const record = store.records.get('sid')!;
    store.records.set('sid', { ...record, expiresAt: Date.now() + 1_000 });
    const read = await store.get('sid');
    expect(new Date(read!.cookie.expires!).getTime()).toBe(store.records.get('sid')!.expiresAt);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('a v1 record (no sealed expiry) is read by its stored expiry, and written back as v2', async () => {
    const store = new MapStore({ encryption: { secret: [KEY, secretA] } });
    const fixture = V1_FIXTURES[0]!;
    store.records.set('fixture-sid', { payload: fixture.stored, expiresAt: Date.now() + 60_000 });
    const session = await store.get('fixture-sid');
    expect(session).toMatchObject({ user: 'alice' });
    await store.set('fixture-sid', session!);
    expect(token(store.records.get('fixture-sid')!.payload)).toMatch(/^v2\./);
    expect(await store.get('fixture-sid')).toMatchObject({ user: 'alice' });
  });
});

describe('warnings at construction', () => {
  it('acceptPlaintext: a warning saying a backend writer can forge sessions', async () => {
    const store = new MapStore({ encryption: { secret: KEY, acceptPlaintext: true } });
    const warnings: SessionStoreWarning[] = [];
    store.on('warning', (warning: SessionStoreWarning) => warnings.push(warning));
    await new Promise((resolve) => process.nextTick(resolve));
    expect(warnings.map((warning) => [warning.code, warning.message])).toEqual([
      [
        'ERR_SESSION_STORE_WEAK_ENCRYPTION',
        expect.stringMatching(/acceptPlaintext is on: anyone who can write to the backend can forge a session/),
      ],
    ]);
  });

  it('with no warning listener, through process.emitWarning; none without acceptPlaintext or weak secrets', async () => {
    const emitted: Error[] = [];
    const listener = (warning: Error) => emitted.push(warning);
    process.on('warning', listener);
    try {
      new MapStore({ encryption: { secret: [KEY, 'keyboard cat'] } });
      new MapStore({ encryption: { secret: KEY } });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(emitted.map((warning) => warning.message)).toEqual([
      expect.stringMatching(/^MapStore: encryption\.secret\[1\] is weak/),
    ]);
  });
});
