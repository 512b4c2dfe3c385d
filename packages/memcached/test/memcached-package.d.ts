// The `memcached` package (connect-memcached's client) ships no types; these are the few calls the tests make.
declare module 'memcached' {
  type Callback<T> = (error: Error | undefined, value: T) => void;
  class Memcached {
    constructor(locations: string | string[], options?: Record<string, unknown>);
    get(key: string, callback: Callback<unknown>): void;
    set(key: string, value: unknown, lifetime: number, callback: Callback<boolean>): void;
    del(key: string, callback: Callback<boolean>): void;
    end(): void;
  }
  export = Memcached;
}

declare module 'connect-memcached' {
  import type session from 'express-session';
  function connectMemcached(expressSession: typeof session): new (options?: Record<string, unknown>) => session.Store;
  export = connectMemcached;
}
