import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SessionData } from 'express-session';
import { realisticSession } from '../fixture';
import { describeError, runLoad } from '../load';
import type { ByUserCall, ByUserQuery } from '../results';
import { median } from '../stats';
import { viaCallback, type Subject } from '../subject';
import type { Log } from './operations';

type Callback<T> = (error: unknown, value?: T) => void;

/** The by-user methods of a store made with `userId`, driven through callbacks like the rest. */
interface UserIndexedStore {
  userSessions(userId: string, callback: Callback<unknown[]>): void;
  countUserSessions(userId: string, callback: Callback<number>): void;
  destroyUserSessions(userId: string, options: undefined, callback: Callback<number>): void;
}

export interface QueryPlan {
  /** Sessions stored in all. */
  total: number;
  /** Of which this many belong to the one user timed. */
  ofUser: number;
  rounds: number;
}

/** Other users the rest of the sessions belong to: about ten sessions each, a realistic spread. */
const OTHER_SESSIONS_PER_USER = 10;

/** Each call returns (or reports) how many of the user's sessions it saw. */
const CALLS: [ByUserCall, (store: UserIndexedStore, userId: string) => Promise<number>][] = [
  ['userSessions', (store, userId) => viaCallback<unknown[]>((cb) => store.userSessions(userId, cb)).then(length)],
  ['countUserSessions', (store, userId) => viaCallback<number>((cb) => store.countUserSessions(userId, cb))],
  [
    'destroyUserSessions',
    (store, userId) => viaCallback<number>((cb) => store.destroyUserSessions(userId, undefined, cb)),
  ],
];

function length(value: unknown[] | undefined): number {
  return Array.isArray(value) ? value.length : -1;
}

function sessionOf(userId: string): SessionData {
  const session = realisticSession() as SessionData & { userId: string };
  session.userId = userId;
  return session;
}

/** Attempts per seeding write: FerretDB answers a burst of writes with a transient SQLITE_BUSY now and then. */
const SEED_ATTEMPTS = 3;

async function setWithRetry(subject: Subject, sid: string, session: SessionData): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await subject.set(sid, session);
    } catch (error) {
      if (attempt >= SEED_ATTEMPTS) throw error;
    }
  }
}

/**
 * Writes the sessions through set, 16 at a time. Untimed: it fills the store for the calls
 * that are timed, so a failed write is retried rather than ending the measurement.
 */
async function write(subject: Subject, sids: readonly string[], sessionAt: (index: number) => SessionData) {
  const result = await runLoad((index) => setWithRetry(subject, sids[index]!, sessionAt(index)), {
    ops: sids.length,
    concurrency: 16,
    maxMs: 30 * 60_000,
  });
  if (result.error !== undefined) throw new Error(`seeding: ${result.error}`);
  if (result.ops < sids.length) throw new Error(`seeding: ${result.ops} of ${sids.length} sessions written in 30 min`);
}

/**
 * Lists, counts and destroys the sessions of one user among `total` stored, once per round (a
 * round rewrites the user's sessions after destroying them). Each call is checked: a figure
 * for a call that saw the wrong number of sessions would time the wrong work.
 */
export async function runByUserQueries(subject: Subject, plan: QueryPlan, log: Log): Promise<ByUserQuery[]> {
  const store = subject.store as unknown as UserIndexedStore;
  // Fresh names per run: a server given by URL may still hold an earlier run's sessions.
  const run = randomBytes(6).toString('base64url');
  const user = `bench-${run}-one`;
  const sid = (name: string, index: number) => `${run}${name}${index.toString(36).padStart(10, '0')}`;
  const userSids = Array.from({ length: plan.ofUser }, (_, index) => sid('u', index));
  const otherSids = Array.from({ length: plan.total - plan.ofUser }, (_, index) => sid('o', index));
  const userSession = sessionOf(user);
  const others = Array.from({ length: Math.ceil(otherSids.length / OTHER_SESSIONS_PER_USER) }, (_, index) =>
    sessionOf(`bench-${run}-other-${index}`),
  );

  const queries: ByUserQuery[] = CALLS.map(([call]) => ({
    call,
    userSessions: plan.ofUser,
    totalSessions: plan.total,
    perRound: Array<null>(plan.rounds).fill(null),
    medianMs: null,
  }));
  const seeded = performance.now();
  await write(subject, otherSids, (index) => others[Math.floor(index / OTHER_SESSIONS_PER_USER)]!);
  log(`  by-user: ${otherSids.length} sessions of other users written in ${Math.round(performance.now() - seeded)} ms`);

  for (let round = 0; round < plan.rounds; round++) {
    await write(subject, userSids, () => userSession);
    for (const [index, [call, invoke]] of CALLS.entries()) {
      const query = queries[index]!;
      if (query.error !== undefined) continue;
      const start = performance.now();
      try {
        const count = await invoke(store, user);
        const ms = performance.now() - start;
        if (count !== plan.ofUser) throw new Error(`${call} saw ${count} sessions, expected ${plan.ofUser}`);
        query.perRound[round] = { ms: Math.round(ms * 100) / 100, count };
      } catch (error) {
        query.error = describeError(error);
      }
    }
    log(
      `  by-user round ${round + 1}/${plan.rounds}, ${plan.ofUser} of ${plan.total}: ${queries
        .map((query) => `${query.call} ${query.perRound[round]?.ms ?? query.error ?? '-'} ms`)
        .join(', ')}`,
    );
  }
  for (const query of queries) {
    query.medianMs = query.error === undefined ? median(query.perRound.map((sample) => sample?.ms)) : null;
  }
  return queries;
}
