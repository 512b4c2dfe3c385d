import type { SessionData } from 'express-session';
import { realisticSession } from '../fixture';
import { describeError } from '../load';
import type { BenchOptions } from '../options';
import type { ByUserIndexCost, ByUserResult } from '../results';
import type { BackendDefinition, RunningServer, Subject } from '../subject';
import { runByUserQueries } from './by-user-queries';
import { runOperationsSuite, type Log } from './operations';

/** How the bench's sessions name their user: the fixture keeps it in `session.userId`. */
export const userIdOption = { userId: (session: SessionData) => (session as { userId?: string }).userId };

/** Users the index-cost sessions are spread over, so no user's index grows without bound. */
const USERS = 1000;

/** Sessions of many users for the index-cost runs: the index-th belongs to user index % USERS. */
function sessionsOfManyUsers(): (index: number) => SessionData {
  const sessions = Array.from({ length: USERS }, (_, user) => {
    const session = realisticSession() as SessionData & { userId: string };
    session.userId = `bench-user-${user}`;
    return session;
  });
  return (index) => sessions[index % USERS]!;
}

/** Whether the store was built with the index: its manifest says so, or the suite has nothing to time. */
function indexesUsers(subject: Subject): boolean {
  const capabilities = (subject.store as { capabilities?: { sessionsByUser?: unknown } } | undefined)?.capabilities;
  return capabilities?.sessionsByUser === true;
}

/**
 * Sessions by user on one backend, ours against ours: the same store with the `userId` option
 * (`indexed`) and without it (`plain`), each in its own namespace. First the cost of keeping the
 * index on set and destroy, in interleaved rounds like the operations suite; then listing,
 * counting and destroying one user's sessions among many (see by-user-queries.ts). A store that
 * refuses the option (memcached) or does not declare `sessionsByUser` is reported with the reason.
 */
export async function runByUserSuite(
  definition: BackendDefinition,
  server: RunningServer,
  options: BenchOptions,
  log: Log,
): Promise<ByUserResult> {
  const result: ByUserResult = { indexCost: [], queries: [], notes: [] };
  const opened: Subject[] = [];
  try {
    let indexed: Subject;
    try {
      indexed = await definition.createSubject('ours', {
        server: server.info,
        namespace: 'byuser_indexed',
        storeOptions: userIdOption,
      });
    } catch (error) {
      result.unavailable = describeError(error);
      return result;
    }
    opened.push(indexed);
    if (!indexesUsers(indexed)) {
      result.unavailable = 'the store made with userId does not declare capabilities.sessionsByUser';
      return result;
    }
    const plain = await definition.createSubject('ours', { server: server.info, namespace: 'byuser_plain' });
    opened.push(plain);

    // The operations suite names its subjects ours/anchor/raw: indexed runs as ours, plain as raw,
    // so its ours ÷ raw ratio is indexed ÷ plain, per round.
    log('  by-user index cost: "ours" is the store with userId, "raw" the same store without');
    const rows = await runOperationsSuite([indexed, { ...plain, kind: 'raw' }], options, log, {
      operations: ['set', 'destroy'],
      sessionAt: sessionsOfManyUsers(),
    });
    result.indexCost = rows.map((row): ByUserIndexCost => ({
      operation: row.operation as ByUserIndexCost['operation'],
      concurrency: row.concurrency,
      subjects: { indexed: row.subjects.ours, plain: row.subjects.raw },
      indexedOverPlain: row.oursOverRaw,
    }));

    const cap = options.sizeCaps[definition.name];
    const total = cap === undefined ? options.byUserTotal : Math.min(cap, options.byUserTotal);
    const ofUser = Math.min(options.byUserSessions, total);
    if (total < options.byUserTotal)
      result.notes.push(
        `one user's sessions among ${total.toLocaleString('en-US')} rather than ${options.byUserTotal.toLocaleString('en-US')}: capped by --max-size ${definition.name}=${cap} (see bench/README.md)`,
      );
    result.queries = await runByUserQueries(indexed, { total, ofUser, rounds: options.rounds }, log);
  } catch (error) {
    result.notes.push(`stopped: ${describeError(error)}`);
    log(`[${definition.name}] by-user stopped: ${describeError(error)}`);
  } finally {
    for (const subject of opened)
      await subject
        .close()
        .catch((error: unknown) =>
          log(`[${definition.name}] closing by-user ${subject.kind}: ${describeError(error)}`),
        );
  }
  return result;
}
