import { createRequire } from 'node:module';
import type expressSession from 'express-session';

const require = createRequire(import.meta.url);

/** Stores written as `require('connect-x')(session)`: the factory applied to express-session. */
export function connectStyleStore<T>(packageName: string): T {
  const factory = require(packageName) as (session: typeof expressSession) => T;
  return factory(require('express-session') as typeof expressSession);
}
