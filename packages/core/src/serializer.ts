/**
 * How a session becomes the text stored in the backend and back. The default is JSON, which is
 * what every store users migrate from writes. A custom serializer (connect-redis's `serializer`
 * option) must return a string and parse what it wrote. `parse` may return a Promise (as
 * connect-redis allows): the store awaits it where it reads sessions.
 */
export interface Serializer {
  stringify(session: unknown): string;
  parse(text: string): unknown;
}

export const jsonSerializer: Serializer = {
  stringify: (session) => JSON.stringify(session),
  parse: (text) => JSON.parse(text),
};

/** A value a store can return as a session: a plain, non-array object. */
export function isSessionObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
