import type { GradedStore } from '../types';
import { connectMemcached } from './memcached';
import { connectMongo, connectMongodbSession } from './mongo';
import { oursMemcached, oursMongo, oursPostgres, oursRedis, oursSqlite } from './ours';
import {
  betterSqlite3SessionStore,
  connectSessionKnexSqlite,
  connectSqlite3,
  memorystore,
  sessionFileStore,
} from './files';
import { connectPgSimple, connectSessionKnexPostgres } from './postgres';
import { connectRedis } from './redis';

/** The card's rows, in order: the stores people use, then ours. */
export const GRADED_STORES: readonly GradedStore[] = [
  connectRedis,
  connectMongo,
  connectMongodbSession,
  connectPgSimple,
  connectSessionKnexPostgres,
  connectSessionKnexSqlite,
  betterSqlite3SessionStore,
  connectSqlite3,
  connectMemcached,
  memorystore,
  sessionFileStore,
  oursRedis,
  oursPostgres,
  oursMongo,
  oursSqlite,
  oursMemcached,
];

export function gradedStore(id: string): GradedStore {
  const store = GRADED_STORES.find((candidate) => candidate.id === id);
  if (!store) throw new Error(`unknown store "${id}"; stores are ${GRADED_STORES.map((s) => s.id).join(', ')}`);
  return store;
}
