import { ITERATE_CHECKPOINT, type Subject } from './subject';

/**
 * The raw limit of enumeration, the same on every backend: the bare driver lists the live
 * sessions of its namespace in pages and parses them (the contract asks for parsed, live-only
 * sessions, so the limit must do that too), and counts them with the cheapest live-only count
 * the backend has. all() keeps every page; iterate() walks the same pages and keeps none.
 */
export interface RawListing {
  /** Pages of parsed live sessions, in whatever order the backend lists them. */
  pages(): AsyncIterable<unknown[]>;
  /** How many live sessions there are. */
  count(): Promise<number>;
}

export function rawEnumeration(listing: RawListing): Required<Pick<Subject, 'all' | 'length' | 'iterate'>> {
  return {
    all: async () => {
      const sessions: unknown[] = [];
      for await (const page of listing.pages()) for (const session of page) sessions.push(session);
      return sessions;
    },
    length: () => listing.count(),
    iterate: async (checkpoint) => {
      let count = 0;
      for await (const page of listing.pages()) {
        const before = count;
        count += page.length;
        // The same checkpoints as a store's iterate(): each time the walk passes a multiple.
        if (checkpoint && Math.floor(count / ITERATE_CHECKPOINT) > Math.floor(before / ITERATE_CHECKPOINT))
          checkpoint();
      }
      return count;
    },
  };
}

/** Parses the values a batch read returned, skipping the missing (expired or deleted) ones. */
export function parseLive(values: readonly (string | Buffer | null | undefined)[]): unknown[] {
  const sessions: unknown[] = [];
  for (const value of values) {
    if (value !== null && value !== undefined) sessions.push(JSON.parse(value.toString()) as unknown);
  }
  return sessions;
}
