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
 * Keys SCAN has already returned, at most about `max` of them: SCAN may return a key twice,
 * but only while Redis resizes its table during the walk, and a repeat then comes soon after the
 * first time in the walk's order far more often than not. Two generations of at most `max / 2`
 * keys each: the older is dropped whole when the newer fills, so memory stays bounded however
 * many keys the namespace holds (a Set of every key would grow with it).
 */
export class RecentKeys {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly max: number) {}

  /** True the first time `key` is seen (within the window). */
  add(key: string): boolean {
    if (this.current.has(key) || this.previous.has(key)) return false;
    if (this.current.size * 2 >= this.max) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(key);
    return true;
  }
}

/**
 * Keys remembered to drop SCAN's repeats: a namespace of up to this many keys never sees one
 * twice; a larger one could, only if Redis resizes its table during the walk and the repeat
 * comes more than this many keys later. About 10 MB at most.
 */
export const REMEMBERED_KEYS = 100_000;

/**
 * Pages of the string keys matching `pattern`, as full key names. Each page is one `SCAN`
 * call (empty pages included, so that a caller bounding each page bounds each call); a key is
 * not yielded twice within the last `remembered` keys (see RecentKeys). On a Cluster every
 * master is scanned in turn (the driver does).
 */
export async function* scanKeyPages(
  driver: RedisDriver,
  pattern: string,
  count: number,
  remembered = REMEMBERED_KEYS,
): AsyncGenerator<string[]> {
  const seen = new RecentKeys(remembered);
  for await (const keys of driver.scanPages(pattern, count)) yield keys.filter((key) => seen.add(key));
}
