import type { RedisDriver } from './driver';

/**
 * Escapes the glob characters of `SCAN MATCH` (`*`, `?`, `[`, `]`, `\`), so that a prefix
 * like `app[1]:` matches itself only, not `app1:` (connect-redis passes it unescaped).
 */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

/** The `SCAN MATCH` pattern of every key that starts with `keyPrefix`. */
export function prefixPattern(keyPrefix: string): string {
  return `${escapeGlob(keyPrefix)}*`;
}

/**
 * Pages of the string keys matching `pattern`, as full key names. Each page is one `SCAN`
 * call (empty pages included, so that a caller bounding each page bounds each call); the
 * same key is never yielded twice, though SCAN may return it twice while Redis resizes its
 * table. On a Cluster every master is scanned in turn (the driver does).
 */
export async function* scanKeyPages(driver: RedisDriver, pattern: string, count: number): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  for await (const keys of driver.scanPages(pattern, count)) {
    const fresh = keys.filter((key) => !seen.has(key));
    for (const key of fresh) seen.add(key);
    yield fresh;
  }
}
