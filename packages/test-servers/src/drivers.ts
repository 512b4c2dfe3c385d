import type * as Pg from 'pg';
import type * as MongoDb from 'mongodb';
import { DriverMissingError } from './errors';

// The harness checks that PostgreSQL and MongoDB answer with their drivers, loaded only when
// needed: they are optional peer dependencies of @session-stores/test-servers.

function unwrap<T>(module: T): T {
  return ((module as { default?: T }).default ?? module) as T;
}

function missing(name: string, backend: string, cause: unknown): Error {
  return new DriverMissingError(
    `the harness needs the "${name}" package to check that ${backend} answers; install it ` +
      '(an optional peer dependency of @session-stores/test-servers)',
    { cause },
  );
}

export async function loadPg(): Promise<typeof Pg> {
  try {
    return unwrap(await import('pg'));
  } catch (error) {
    throw missing('pg', 'PostgreSQL', error);
  }
}

export async function loadMongoDb(): Promise<typeof MongoDb> {
  try {
    return unwrap(await import('mongodb'));
  } catch (error) {
    throw missing('mongodb', 'MongoDB', error);
  }
}
