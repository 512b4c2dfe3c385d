/**
 * Key prefixes as namespaces, for backends whose stores share one flat keyspace (Redis,
 * memcached) and tell each other apart only by a prefix.
 *
 * A raw prefix is not a namespace: the keys of a store with prefix `sess:admin:` all start
 * with `sess:`, so a store with prefix `sess:` would list them in `all()` and delete them in
 * `clear()`. The rule that makes prefixes nest safely:
 * - a prefix is empty or ends with `:` (the separator), checked when the store is made;
 * - a sid never contains `:` (the base refuses it through `unstorableSid`);
 * - a key belongs to a store when it is the store's prefix followed by a remainder without `:`.
 * Then a key has at most one owner: a longer prefix adds at least one `:` after the shorter one,
 * so its keys' remainders under the shorter prefix contain `:` and are skipped. express-session's
 * sids (base64url) never contain `:`.
 */
export const NAMESPACE_SEPARATOR = ':';

/**
 * Why `prefix` cannot be a namespace, or null when it can. Written for an option error: the
 * caller adds the store and option names.
 */
export function namespacePrefixProblem(prefix: string): string | null {
  if (prefix === '' || prefix.endsWith(NAMESPACE_SEPARATOR)) return null;
  return (
    `must be empty or end with "${NAMESPACE_SEPARATOR}" (for example "${prefix}${NAMESPACE_SEPARATOR}"), ` +
    `so that a store never lists or clears the keys of a store whose prefix starts with this one; got "${prefix}"`
  );
}

/** Why `sid` cannot be stored under a namespace prefix, or null: the reason `unstorableSid` gives. */
export function namespacedSidProblem(sid: string): string | null {
  return sid.includes(NAMESPACE_SEPARATOR)
    ? `a sid may not contain "${NAMESPACE_SEPARATOR}", which separates nested key prefixes`
    : null;
}

/**
 * The sid that `key` holds in the namespace `prefix`, or null when the key is not this store's:
 * outside the prefix, or inside a nested namespace (another store's longer prefix).
 */
export function sidInNamespace(prefix: string, key: string): string | null {
  if (!key.startsWith(prefix)) return null;
  const sid = key.slice(prefix.length);
  return sid === '' || sid.includes(NAMESPACE_SEPARATOR) ? null : sid;
}
