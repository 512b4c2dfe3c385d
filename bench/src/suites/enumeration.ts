import { realisticSession } from '../fixture';
import { forkBenchChild, firstMessage, stderrOf, stopChild } from '../child';
import { describeError, runLoad } from '../load';
import { enumerationRoundsFor, type BenchOptions } from '../options';
import { ratioStat, type EnumerationOperation, type EnumerationResult, type SubjectEnumeration } from '../results';
import { median, rotate } from '../stats';
import type { BackendDefinition, RunningServer, Subject, SubjectKind } from '../subject';
import type { EnumerationJob, EnumerationReply } from './enumeration-child';
import type { Log } from './operations';

const NAMESPACE = 'enum';
const OPERATIONS: EnumerationOperation[] = ['length', 'all', 'iterate'];
const CHILD_TIMEOUT_MS = 10 * 60_000;
/** Ours, the store it replaces, and the bare driver listing and parsing the live sessions (the limit). */
const KINDS: readonly SubjectKind[] = ['ours', 'anchor', 'raw'];

/** Deterministic sids, so growing from 10,000 to 100,000 sessions adds only the missing ones. */
function enumerationSid(index: number): string {
  return `enumeration-${index.toString(36).padStart(20, '0')}`;
}

/**
 * all(), length() and iterate() over each size, ours against the anchor where the anchor has the
 * method and against the raw driver. The sessions are written once per size (growing) in each
 * subject's namespace, then every round runs each subject's calls in a fresh child process, so
 * heap and RSS figures belong to that call alone. Sizes of a million and more get
 * `options.largeEnumerationRounds` rounds (see options.ts), the others `enumerationRounds`.
 */
export async function runEnumerationSuite(
  definition: BackendDefinition,
  server: RunningServer,
  options: BenchOptions,
  log: Log,
  sizes: readonly number[],
): Promise<EnumerationResult[]> {
  const results: EnumerationResult[] = [];
  const subjects: Subject[] = [];
  const unsupported = new Map<string, string>();
  for (const kind of KINDS) {
    try {
      subjects.push(await definition.createSubject(kind, { server: server.info, namespace: NAMESPACE }));
    } catch (error) {
      unsupported.set(kind, describeError(error));
    }
  }
  try {
    const kindOf = (subject: Subject) => subject.kind;
    const measured = subjects.filter((subject) => subject.all || subject.length);
    for (const subject of subjects) {
      if (!subject.all && !subject.length)
        unsupported.set(subject.kind, subject.enumerationNote ?? 'has neither all() nor length()');
    }
    let stored = 0;
    for (const size of sizes) {
      const rounds = enumerationRoundsFor(options, size);
      const rows = new Map<EnumerationOperation, EnumerationResult>();
      for (const operation of OPERATIONS) {
        const result: EnumerationResult = {
          operation,
          size,
          subjects: {},
          speedOursOverAnchor: null,
          speedOursOverRaw: null,
        };
        for (const kind of KINDS) {
          const subject = subjects.find((candidate) => candidate.kind === kind);
          const entry: SubjectEnumeration = {
            perRound: Array<null>(rounds).fill(null),
            medianMs: null,
            medianHeapPeakMB: null,
            medianRssPeakMB: null,
          };
          if (!subject) entry.unsupported = unsupported.get(kind) ?? 'not available';
          else if (!subject[operation]) entry.unsupported = subject.enumerationNote ?? `has no ${operation}()`;
          result.subjects[kind] = entry;
        }
        rows.set(operation, result);
        results.push(result);
      }

      const session = realisticSession();
      const sids = Array.from({ length: size - stored }, (_, index) => enumerationSid(stored + index));
      for (const subject of measured) {
        const started = Date.now();
        const failure = await seed(subject, sids, session);
        if (failure) {
          for (const row of rows.values()) row.subjects[kindOf(subject)]!.error = `seeding failed: ${failure}`;
        }
        log(`  seeded ${subject.kind} to ${size} sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      stored = size;

      for (let round = 0; round < rounds; round++) {
        for (const subject of rotate(measured, round)) {
          const operations = OPERATIONS.filter(
            (operation) => subject[operation] && rows.get(operation)!.subjects[kindOf(subject)]!.error === undefined,
          );
          if (operations.length === 0) continue;
          const reply = await measureInChild({
            backend: definition.name,
            kind: subject.kind,
            server: server.info,
            namespace: NAMESPACE,
            operations,
          });
          for (const operation of operations) {
            const entry = rows.get(operation)!.subjects[kindOf(subject)]!;
            if (!reply.ok) entry.error ??= reply.error;
            else if (reply.errors[operation] !== undefined) entry.error ??= reply.errors[operation];
            else if (reply.samples[operation]) {
              const sample = reply.samples[operation];
              entry.perRound[round] = sample;
              if (sample.count !== size)
                entry.error ??= `${operation}() reported ${sample.count} sessions, ${size} were stored`;
            }
          }
          const outcome = (operation: EnumerationOperation) =>
            reply.ok ? (reply.errors[operation] ?? `${reply.samples[operation]?.ms} ms`) : reply.error;
          log(
            `  ${size} round ${round + 1}/${rounds} ${subject.kind}: ${operations.map((operation) => `${operation} ${outcome(operation)}`).join(', ')}`,
          );
        }
      }

      for (const row of rows.values()) {
        for (const entry of Object.values(row.subjects)) {
          if (entry.unsupported !== undefined || entry.error !== undefined) continue;
          entry.medianMs = median(entry.perRound.map((sample) => sample?.ms));
          entry.medianHeapPeakMB = median(entry.perRound.map((sample) => sample?.heapPeakMB));
          entry.medianRssPeakMB = median(entry.perRound.map((sample) => sample?.rssPeakMB));
        }
        const times = (kind: SubjectKind) => {
          const entry = row.subjects[kind];
          return entry && entry.error === undefined && entry.unsupported === undefined
            ? entry.perRound.map((sample) => sample?.ms ?? null)
            : [];
        };
        // Speed ratio: the anchor's time over ours, so above 1 means ours is faster.
        row.speedOursOverAnchor = ratioStat(times('anchor'), times('ours'));
        row.speedOursOverRaw = ratioStat(times('raw'), times('ours'));
      }
    }
  } finally {
    for (const subject of subjects) await subject.close().catch(() => undefined);
  }
  return results;
}

/** Writes the sessions with the subject's bulk path if it has one, else with set() at concurrency 64. */
async function seed(
  subject: Subject,
  sids: readonly string[],
  session: ReturnType<typeof realisticSession>,
): Promise<string | null> {
  if (sids.length === 0) return null;
  try {
    if (subject.seed) {
      await subject.seed(sids, session);
      return null;
    }
    const result = await runLoad((index) => subject.set(sids[index]!, session), {
      ops: sids.length,
      concurrency: 64,
      maxMs: 30 * 60_000,
    });
    return result.error ?? (result.ops < sids.length ? `only ${result.ops} of ${sids.length} written` : null);
  } catch (error) {
    return describeError(error);
  }
}

async function measureInChild(job: EnumerationJob): Promise<EnumerationReply> {
  const child = forkBenchChild(new URL('./enumeration-child.ts', import.meta.url), job);
  const stderr = stderrOf(child);
  try {
    return await firstMessage<EnumerationReply>(child, CHILD_TIMEOUT_MS, stderr);
  } catch (error) {
    return { ok: false, error: describeError(error) };
  } finally {
    await stopChild(child);
  }
}
