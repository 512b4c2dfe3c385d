import { LARGE_ENUMERATION } from './options';
import type { BackendResult, Goal, RatioStat } from './results';

const WRITES = new Set(['set', 'touch', 'destroy']);

/** What iterate() over a million sessions may keep alive on the heap (issue 11). */
const ITERATE_HEAP_LIMIT_MB = 64;

function goal(
  backend: BackendResult,
  kind: Goal['kind'],
  measurement: string,
  threshold: number,
  stat: RatioStat | null,
): Goal {
  const ratio = stat ? Math.round(stat.median * 1000) / 1000 : null;
  return {
    backend: backend.backend,
    kind,
    measurement,
    threshold,
    ratio,
    met: ratio === null ? null : ratio >= threshold,
    range: stat ? [Math.round(stat.min * 1000) / 1000, Math.round(stat.max * 1000) / 1000] : null,
  };
}

/** iterate()'s heap growth (MB, the median over rounds) against the limit: met when below it. */
function heapGoal(backend: BackendResult, size: number, heapMB: number | null, perRound: number[]): Goal {
  return {
    backend: backend.backend,
    kind: 'iterate heap growth < 64 MB at 1,000,000',
    measurement: `iterate ${size} heap MB`,
    threshold: ITERATE_HEAP_LIMIT_MB,
    ratio: heapMB,
    direction: 'below',
    met: heapMB === null ? null : heapMB < ITERATE_HEAP_LIMIT_MB,
    range: heapMB === null || perRound.length === 0 ? null : [Math.min(...perRound), Math.max(...perRound)],
  };
}

/**
 * The goals of the benchmark, each checked on the median of per-round ratios of one run:
 * - ours at least as fast as the anchor on every operation (get/set/touch/destroy at each
 *   concurrency, all/length at each size where the anchor has them, and end to end);
 * - ours at least 0.9 times the raw driver on get, set, touch and destroy at concurrency 64,
 *   and on all(), length() and iterate() at each size (the raw driver listing the live
 *   sessions and parsing them);
 * - iterate() over 1,000,000 sessions grows the heap by less than 64 MB (ours' median figure);
 * - SQLite writes (set, touch, destroy) at least 20 times the anchor's;
 * - keeping the index of sessions by user costs set and destroy at most 10% (ours with `userId`
 *   at least 0.9 times ours without it, at each concurrency).
 * A goal whose ratio could not be measured has `met: null`.
 */
export function evaluateGoals(backends: readonly BackendResult[]): Goal[] {
  const goals: Goal[] = [];
  for (const backend of backends) {
    if (backend.status === 'not measured' && backend.operations.length === 0 && backend.enumeration.length === 0)
      continue;
    for (const row of backend.operations) {
      goals.push(goal(backend, 'ours >= anchor', `${row.operation} c${row.concurrency}`, 1, row.oursOverAnchor));
    }
    for (const row of backend.enumeration) {
      if (row.subjects.anchor?.unsupported !== undefined) continue;
      goals.push(goal(backend, 'ours >= anchor', `${row.operation} ${row.size}`, 1, row.speedOursOverAnchor));
    }
    if (backend.endToEnd) goals.push(goal(backend, 'ours >= anchor', 'end to end', 1, backend.endToEnd.oursOverAnchor));
    for (const row of backend.operations) {
      if (row.concurrency !== 64) continue;
      goals.push(goal(backend, 'ours >= 0.9 x raw at c64', `${row.operation} c64`, 0.9, row.oursOverRaw));
    }
    for (const row of backend.enumeration) {
      if (row.subjects.raw?.unsupported !== undefined) continue;
      goals.push(
        goal(backend, 'ours >= 0.9 x raw (enumeration)', `${row.operation} ${row.size}`, 0.9, row.speedOursOverRaw),
      );
    }
    for (const row of backend.enumeration) {
      if (row.operation !== 'iterate' || row.size !== LARGE_ENUMERATION) continue;
      const ours = row.subjects.ours;
      if (!ours || ours.unsupported !== undefined) continue;
      const perRound = ours.perRound.flatMap((sample) => (sample ? [sample.heapPeakMB] : []));
      goals.push(heapGoal(backend, row.size, ours.error === undefined ? ours.medianHeapPeakMB : null, perRound));
    }
    for (const row of backend.byUser?.indexCost ?? []) {
      goals.push(
        goal(
          backend,
          'user index costs <= 10% (indexed >= 0.9 x plain)',
          `${row.operation} c${row.concurrency}`,
          0.9,
          row.indexedOverPlain,
        ),
      );
    }
    if (backend.backend === 'sqlite') {
      for (const row of backend.operations) {
        if (!WRITES.has(row.operation)) continue;
        goals.push(
          goal(backend, 'sqlite writes >= 20 x anchor', `${row.operation} c${row.concurrency}`, 20, row.oursOverAnchor),
        );
      }
    }
  }
  return goals;
}
