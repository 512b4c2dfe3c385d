import { describe, expect, it } from 'vitest';
import { namespacePrefixProblem, namespacedSidProblem, sidInNamespace } from '../src';

describe('key prefixes as namespaces', () => {
  it('accepts an empty prefix or one ending with ":" and refuses the rest, suggesting the fix', () => {
    expect(namespacePrefixProblem('')).toBeNull();
    expect(namespacePrefixProblem('sess:')).toBeNull();
    expect(namespacePrefixProblem('app:sess:')).toBeNull();
    expect(namespacePrefixProblem('sess')).toMatch(/for example "sess:"/);
    expect(namespacePrefixProblem('sess:x')).toMatch(/end with ":"/);
  });

  it('refuses sids holding the separator', () => {
    expect(namespacedSidProblem('abc-DEF_123')).toBeNull();
    expect(namespacedSidProblem('admin:abc')).toMatch(/may not contain ":"/);
  });

  it('gives a key to one store only, never to a store whose prefix is shorter', () => {
    expect(sidInNamespace('sess:', 'sess:abc')).toBe('abc');
    expect(sidInNamespace('sess:', 'sess:admin:abc')).toBeNull();
    expect(sidInNamespace('sess:admin:', 'sess:admin:abc')).toBe('abc');
    expect(sidInNamespace('sess:admin:', 'sess:abc')).toBeNull();
    expect(sidInNamespace('', 'abc')).toBe('abc');
    expect(sidInNamespace('', 'by-user:5:sess:u1')).toBeNull();
    expect(sidInNamespace('sess:', 'sess:')).toBeNull();
    expect(sidInNamespace('sess:', 'other:abc')).toBeNull();
    // Outside the prefix even when the rest, cut at the prefix's length, holds no separator.
    expect(sidInNamespace('sess:', 'other-abc')).toBeNull();
  });
});
