import { describe, expect, it } from 'vitest';
import { escapeSid, isValidKeyLength, MAX_KEY_BYTES, sessionKey, sidOfKey, unescapeSid } from '../src/keys';

describe('memcached keys', () => {
  it('sessionKey(prefix, sid) keeps express-session sids as they are (connect-memcached layout)', () => {
    expect(sessionKey('sess:', 'Xy_-09abcDEF1234567890abcdefghij')).toBe('sess:Xy_-09abcDEF1234567890abcdefghij');
    expect(sessionKey('', 'a:b/c.d*e?f')).toBe('a:b/c.d*e?f');
  });

  it('escapeSid(sid) escapes %, spaces, control characters and non-ASCII into key-safe ASCII', () => {
    expect(escapeSid('a b')).toBe('a%20b');
    expect(escapeSid('100%')).toBe('100%25');
    expect(escapeSid('tab\there\n')).toBe('tab%09here%0A');
    expect(escapeSid('é')).toBe('%u00E9');
    expect(escapeSid('😀')).toBe('%uD83D%uDE00');
    expect(escapeSid('\ud800')).toBe('%uD800');
    expect(escapeSid('\u007f')).toBe('%7F');
    for (const sid of ['a b', '100%', 'é', '😀', '\ud800x', '\u0000']) expect(escapeSid(sid)).toMatch(/^[\x21-\x7e]+$/);
  });

  it('unescapeSid(escapeSid(sid)) gives the sid back, lone surrogates included', () => {
    const sids = [
      'plain',
      '__proto__',
      'constructor',
      'a:b',
      'a/b',
      'a.b',
      '%',
      '%41',
      '%u0041',
      '*',
      '?',
      'with space',
      'ünï',
      '\u0301e',
      'שלום',
      '😀',
      '\ud800',
      '\udfff',
      '\u0000',
      'x'.repeat(200),
    ];
    for (const sid of sids) expect(unescapeSid(escapeSid(sid))).toBe(sid);
  });

  it('distinct sids get distinct keys', () => {
    const sids = ['%41', 'A', '%2541', 'a b', 'a%20b', 'a+b', '%u0041', '\u00e9', 'e\u0301'];
    const keys = new Set(sids.map((sid) => sessionKey('p:', sid)));
    expect(keys.size).toBe(sids.length);
  });

  it('sidOfKey(prefix, key) rejects keys of other prefixes and keys that are not in the escaped form', () => {
    expect(sidOfKey('sess:', 'sess:abc')).toBe('abc');
    expect(sidOfKey('sess:', 'sess:a%20b')).toBe('a b');
    expect(sidOfKey('sess:', 'other:abc')).toBeNull();
    expect(sidOfKey('sess:', 'sess:')).toBeNull();
    // Not what escapeSid writes: lower-case hex, an escaped plain character, a raw space, a stray %.
    expect(sidOfKey('sess:', 'sess:a%2fb')).toBeNull();
    expect(sidOfKey('sess:', 'sess:%41')).toBeNull();
    expect(sidOfKey('sess:', 'sess:a b')).toBeNull();
    expect(sidOfKey('sess:', 'sess:50%')).toBeNull();
    expect(sidOfKey('sess:', 'sess:é')).toBeNull();
  });

  it("isValidKeyLength(key) holds up to memcached's 250 bytes", () => {
    expect(MAX_KEY_BYTES).toBe(250);
    expect(isValidKeyLength('k'.repeat(250))).toBe(true);
    expect(isValidKeyLength('k'.repeat(251))).toBe(false);
  });
});
