import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';
import { realisticSession, SESSION_MAX_AGE_MS } from '../fixture';
import { runLoad, describeError, type LoadResult } from '../load';
import type { BenchOptions } from '../options';
import { OPERATIONS, ratioStat, type Operation, type OperationResult, type SubjectOps } from '../results';
import { median, rotate } from '../stats';
import type { Subject, SubjectKind } from '../subject';

export type Log = (line: string) => void;

/** What a run of the suite measures; the by-user suite narrows it to set and destroy. */
export interface OperationsPlan {
  /** Operations timed, among get, set, touch and destroy (set and destroy always run: they fill and empty). */
  operations?: readonly Operation[];
  /** The session written by the index-th set; by default one realistic session for all. */
  sessionAt?: (index: number) => SessionData;
}

/** Sids shaped like express-session's (32 url-safe characters), unique per round and concurrency. */
function makeSids(count: number): string[] {
  const base = randomBytes(18).toString('base64url');
  return Array.from({ length: count }, (_, index) => base + index.toString(36).padStart(8, '0'));
}

/**
 * ops/s of get, set, touch and destroy at each concurrency, for every subject, in interleaved
 * rounds: within a round each operation is measured for all subjects back to back (in an order
 * that rotates from round to round), so the three figures of a ratio share the machine's load.
 * Each measurement is bounded by an operation count and a time cap.
 */
export async function runOperationsSuite(
  subjects: readonly Subject[],
  options: BenchOptions,
  log: Log,
  plan: OperationsPlan = {},
): Promise<OperationResult[]> {
  const operations = plan.operations ?? OPERATIONS;
  const table = new Map<string, Partial<Record<SubjectKind, SubjectOps>>>();
  const cell = (operation: Operation, concurrency: number, kind: SubjectKind): SubjectOps => {
    const key = `${operation}/${concurrency}`;
    let row = table.get(key);
    if (!row) table.set(key, (row = {}));
    return (row[kind] ??= { perRound: Array<null>(options.rounds).fill(null), medianOpsPerSec: null });
  };

  const working = new Set<Subject>();
  for (const subject of subjects) {
    const failure = await warmUp(subject);
    if (failure) {
      log(`  ${subject.kind}: warm-up failed, not measured: ${failure}`);
      for (const operation of OPERATIONS)
        for (const concurrency of options.concurrencies) cell(operation, concurrency, subject.kind).error = failure;
    } else {
      working.add(subject);
    }
  }

  for (let round = 0; round < options.rounds; round++) {
    for (const concurrency of options.concurrencies) {
      const cap = concurrency === 1 ? options.opsAtConcurrency1 : options.opsAtConcurrency64;
      const limits = { ops: cap, concurrency, maxMs: options.maxMsPerMeasurement };
      const order = rotate([...working], round);
      const sids = makeSids(cap);
      const session = realisticSession();
      const sessionAt = plan.sessionAt ?? (() => session);
      const written = new Map<Subject, number>();
      const record = (operation: Operation, subject: Subject, result: LoadResult): boolean => {
        const target = cell(operation, concurrency, subject.kind);
        if (result.error !== undefined) {
          target.error ??= result.error;
          return false;
        }
        target.perRound[round] = {
          ops: result.ops,
          ms: Math.round(result.ms * 100) / 100,
          opsPerSec: Math.round(result.opsPerSec),
        };
        return true;
      };

      for (const subject of order) {
        const result = await runLoad((index) => subject.set(sids[index]!, sessionAt(index)), limits);
        if (record('set', subject, result)) written.set(subject, result.ops);
      }
      for (const subject of order) {
        if (!written.has(subject)) continue;
        const stored = await subject.get(sids[0]!).catch((error: unknown) => error);
        if (!stored || typeof stored !== 'object' || stored instanceof Error) {
          const reason = stored instanceof Error ? describeError(stored) : 'get after set found no session';
          for (const operation of OPERATIONS) cell(operation, concurrency, subject.kind).error ??= reason;
          written.delete(subject);
        }
      }
      type Step = [Operation, (subject: Subject, count: number) => (index: number) => Promise<unknown>];
      const steps: Step[] = (
        [
          ['get', (subject, count) => (index) => subject.get(sids[index % count]!)],
          ['touch', (subject, count) => (index) => subject.touch(sids[index % count]!, refreshed(session))],
          ['destroy', (subject) => (index) => subject.destroy(sids[index]!)],
        ] satisfies Step[]
      ).filter(([operation]) => operation === 'destroy' || operations.includes(operation));
      for (const [operation, makeOp] of steps) {
        for (const subject of order) {
          const count = written.get(subject);
          if (count === undefined) continue;
          // destroy deletes each written session once; the others cycle over them.
          const stepLimits = operation === 'destroy' ? { ...limits, ops: count } : limits;
          record(operation, subject, await runLoad(makeOp(subject, count), stepLimits));
        }
      }
      // Sessions a time-capped destroy did not reach are deleted now, untimed, so the
      // namespaces do not grow from round to round (FerretDB slows down as they do).
      for (const subject of order) {
        const count = written.get(subject);
        const destroyed = cell('destroy', concurrency, subject.kind).perRound[round]?.ops ?? 0;
        if (count !== undefined && destroyed < count) {
          await runLoad((index) => subject.destroy(sids[destroyed + index]!), {
            ops: count - destroyed,
            concurrency: 16,
            maxMs: 60_000,
          });
        }
      }
      log(`  round ${round + 1}/${options.rounds} c${concurrency}: ${summarize(table, concurrency, round)}`);
    }
  }

  const results: OperationResult[] = [];
  for (const concurrency of options.concurrencies) {
    for (const operation of operations) {
      const row = table.get(`${operation}/${concurrency}`) ?? {};
      for (const value of Object.values(row)) {
        value.medianOpsPerSec =
          value.error === undefined ? roundOrNull(median(value.perRound.map((sample) => sample?.opsPerSec))) : null;
      }
      const series = (kind: SubjectKind) =>
        row[kind]?.error === undefined ? (row[kind]?.perRound ?? []).map((sample) => sample?.opsPerSec ?? null) : [];
      results.push({
        operation,
        concurrency,
        subjects: row,
        oursOverAnchor: ratioStat(series('ours'), series('anchor')),
        oursOverRaw: ratioStat(series('ours'), series('raw')),
      });
    }
  }
  return results;
}

/**
 * What express-session does before it touches a session: the cookie's maxAge is reset, so the
 * expiry moves forward. Touching with an unchanged expiry would let SQLite skip the write
 * (it leaves a row alone when the new bytes equal the old) and flatter any store.
 */
function refreshed(session: SessionData): SessionData {
  session.cookie.maxAge = SESSION_MAX_AGE_MS;
  return session;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

/** A few hundred of each operation first, so no subject is measured while its JIT and connections are cold. */
export async function warmUp(subject: Subject): Promise<string | null> {
  const sids = makeSids(500);
  const session = realisticSession();
  const limits = { ops: 500, concurrency: 16, maxMs: 10_000 };
  for (const op of [
    (index: number) => subject.set(sids[index]!, session),
    (index: number) => subject.get(sids[index]!),
    (index: number) => subject.touch(sids[index]!, refreshed(session)),
    (index: number) => subject.destroy(sids[index]!),
  ]) {
    const result = await runLoad(op, limits);
    if (result.error !== undefined) return result.error;
  }
  return null;
}

function summarize(
  table: Map<string, Partial<Record<SubjectKind, SubjectOps>>>,
  concurrency: number,
  round: number,
): string {
  return OPERATIONS.filter((operation) => table.has(`${operation}/${concurrency}`))
    .map((operation) => {
      const row = table.get(`${operation}/${concurrency}`) ?? {};
      const parts = (['ours', 'anchor', 'raw'] as const)
        .filter((kind) => row[kind])
        .map((kind) => `${kind} ${row[kind]!.perRound[round]?.opsPerSec ?? (row[kind]!.error ? 'error' : '-')}`);
      return `${operation} [${parts.join(', ')}]`;
    })
    .join(' ');
}
