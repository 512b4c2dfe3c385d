import { describe, expect, it } from 'vitest';
import { keysetPages } from '../src';

/** A sorted table of keys, paged as a database would page it: keys after `after`, up to `limit`. */
function table(keys: string[]) {
  const calls: Array<string | undefined> = [];
  const fetchPage = (after: string | undefined, limit: number) => {
    calls.push(after);
    return keys.filter((key) => after === undefined || key > after).slice(0, limit);
  };
  return { calls, fetchPage };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('keysetPages', () => {
  it('walks every row once, in pages of pageSize, resuming after the last key', async () => {
    const { calls, fetchPage } = table(['a', 'b', 'c', 'd', 'e']);
    expect(await collect(keysetPages(2, fetchPage, (key) => key))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(calls).toEqual([undefined, 'b', 'd']);
  });

  it('asks once more after a full last page, and yields no empty page', async () => {
    const { calls, fetchPage } = table(['a', 'b', 'c', 'd']);
    expect(await collect(keysetPages(2, fetchPage, (key) => key))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(calls).toEqual([undefined, 'b', 'd']);
    expect(await collect(keysetPages(2, table([]).fetchPage, (key) => key))).toEqual([]);
  });

  it('takes the key from the raw row, so a caller may map or drop rows of a page', async () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const pages = keysetPages(
      2,
      async (after: number | undefined, limit) =>
        rows.filter((row) => after === undefined || row.id > after).slice(0, limit),
      (row) => row.id,
    );
    expect(await collect(pages)).toEqual([[{ id: 1 }, { id: 2 }], [{ id: 3 }]]);
  });

  it('passes a failing page on to the caller', async () => {
    const pages = keysetPages(
      2,
      () => Promise.reject(new Error('server gone')),
      (key: string) => key,
    );
    await expect(collect(pages)).rejects.toThrow('server gone');
  });
});
