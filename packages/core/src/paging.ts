/**
 * Keyset pagination: pages of rows ordered by a unique key, each fetched by its own bounded
 * query that resumes after the last key seen, so no server cursor is held between pages (a
 * slow consumer cannot time one out) and a row is never skipped or repeated by offsets moving
 * under concurrent writes.
 *
 * `fetchPage(after, limit)` returns up to `limit` rows whose key is greater than `after` (all
 * from the start when `after` is undefined), in key order. Empty pages are not yielded; a page
 * shorter than `pageSize` is the last.
 */
export async function* keysetPages<Row, Key>(
  pageSize: number,
  fetchPage: (after: Key | undefined, limit: number) => Promise<readonly Row[]> | readonly Row[],
  keyOf: (row: Row) => Key,
): AsyncGenerator<Row[]> {
  let after: Key | undefined;
  for (;;) {
    const rows = [...(await fetchPage(after, pageSize))];
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
