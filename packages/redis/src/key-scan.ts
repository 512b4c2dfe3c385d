import type { Cluster, Redis } from 'ioredis';
import { untilClusterReady } from './cluster-ready';
import type { RedisClient } from './options';

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

export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/**
 * Pages of the string keys matching `pattern`, as full key names. Each page is one `SCAN`
 * call (empty pages included, so that a caller bounding each page bounds each call); the
 * same key is never yielded twice, though SCAN may return it twice while Redis resizes its
 * table. On a Cluster every master is scanned in turn, since each holds only its own slots.
 */
export async function* scanKeyPages(client: RedisClient, pattern: string, count: number): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  const nodes = isCluster(client) ? await mastersOf(client) : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count, 'TYPE', 'string');
      cursor = next;
      const fresh = keys.filter((key) => !seen.has(key));
      for (const key of fresh) seen.add(key);
      yield fresh;
    } while (cursor !== '0');
  }
}

/**
 * The master connections of a Cluster, once it knows its slot map (before that it lists none).
 * A Cluster that refuses calls while not ready (offline queue off) refuses this too.
 */
async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') {
    if (cluster.options.enableOfflineQueue === false)
      throw new Error("Cluster isn't ready and enableOfflineQueue options is false");
    await untilClusterReady(cluster);
  }
  return cluster.nodes('master');
}
