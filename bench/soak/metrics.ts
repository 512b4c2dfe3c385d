import type { Crash, MemorySample } from './app-process';
import type { Loss } from './clients';
import type { RequestRecord } from './traffic';

/** A fault as it happened: `injectedAt` when it began, `restoredAt` when the backend was back. */
export interface FaultEvent {
  name: string;
  description: string;
  injectedAt: number;
  restoredAt: number;
}

export interface Latency {
  requests: number;
  errors: number;
  p50: number | null;
  p99: number | null;
}

export interface FaultResult extends FaultEvent {
  /**
   * From the backend's return to the end of the last failed request before requests succeed
   * steadily again (0: none failed after the return). See `recoveryEnd`.
   */
  recoveryMs: number;
  before: Latency;
  during: Latency;
  after: Latency;
  /** The most frequent failures from the fault's start to the end of its recovery window, with counts. */
  topErrors: Array<{ error: string; count: number }>;
  /** Acknowledged sessions found missing or stale after this fault began (acknowledged before the backend was back). */
  lost: number;
}

/** One second of the run: what the chart draws. */
export interface Second {
  t: number;
  ok: number;
  errors: number;
  rssMb: number | null;
}

/** A request the app could not answer: the store failed it, or no answer came. */
export const isError = (record: RequestRecord) => record.status === 0 || record.status >= 500;

/** How long after the backend's return failures may still be attributed to the fault. */
const RECOVERY_WINDOW_MS = 30_000;
/** The span before and after a fault whose latency is compared with the fault's. */
const PHASE_MS = 10_000;

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function latencyBetween(requests: readonly RequestRecord[], from: number, to: number): Latency {
  const inside = requests.filter((record) => record.at >= from && record.at < to);
  const sorted = inside.map((record) => record.ms).sort((a, b) => a - b);
  return {
    requests: inside.length,
    errors: inside.filter(isError).length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/** Failures grouped by message (digits masked, so ports and durations group), most frequent first. */
export function topErrors(failed: readonly RequestRecord[], count = 3): Array<{ error: string; count: number }> {
  const counts = new Map<string, number>();
  for (const record of failed) {
    const key = (record.error ?? `status ${record.status}`).replace(/\d+/g, 'N').slice(0, 200);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([error, n]) => ({ error, count: n }));
}

/** How long requests must succeed with none failing for the backend to count as recovered. */
export const STEADY_MS = 2000;

/**
 * When requests succeed again after the backend's return at `restoredAt`: the first moment
 * (the return, or the end of a failed request) followed by STEADY_MS in which requests ended
 * and none failed. A lone failure long after that, of the kind a loaded server gives before any
 * fault too (the "before" column), is not the outage's. With no such moment in the window, the
 * end of the last failure in it.
 */
export function recoveryEnd(requests: readonly RequestRecord[], restoredAt: number): number {
  const after = requests.filter((record) => record.at >= restoredAt && record.at < restoredAt + RECOVERY_WINDOW_MS);
  const ends = (records: readonly RequestRecord[]) => records.map((record) => record.at + record.ms);
  const failures = ends(after.filter(isError)).sort((a, b) => a - b);
  const successes = ends(after.filter((record) => !isError(record)));
  const steadyFrom = (from: number) =>
    !failures.some((end) => end > from && end <= from + STEADY_MS) &&
    successes.some((end) => end > from && end <= from + STEADY_MS);
  // Failures end after they began, so every candidate is at or after the return, in order.
  return [restoredAt, ...failures].find(steadyFrom) ?? failures.at(-1) ?? restoredAt;
}

export function faultResult(
  event: FaultEvent,
  requests: readonly RequestRecord[],
  losses: readonly Loss[],
): FaultResult {
  return {
    ...event,
    recoveryMs: recoveryEnd(requests, event.restoredAt) - event.restoredAt,
    before: latencyBetween(requests, event.injectedAt - PHASE_MS, event.injectedAt),
    during: latencyBetween(requests, event.injectedAt, event.restoredAt),
    after: latencyBetween(requests, event.restoredAt, event.restoredAt + PHASE_MS),
    topErrors: topErrors(
      requests.filter((r) => isError(r) && r.at >= event.injectedAt && r.at < event.restoredAt + RECOVERY_WINDOW_MS),
    ),
    lost: losses.filter((loss) => loss.ackAt < event.restoredAt && loss.at >= event.injectedAt).length,
  };
}

export function seconds(
  requests: readonly RequestRecord[],
  memory: readonly MemorySample[],
  startedAt: number,
  endedAt: number,
): Second[] {
  const count = Math.ceil((endedAt - startedAt) / 1000);
  const timeline: Second[] = Array.from({ length: count }, (_, t) => ({ t, ok: 0, errors: 0, rssMb: null }));
  for (const record of requests) {
    const second = timeline[Math.floor((record.at - startedAt) / 1000)];
    if (!second) continue;
    if (isError(record)) second.errors += 1;
    else second.ok += 1;
  }
  // With two apps the chart shows their sum: the memory the store costs the deployment.
  const rssBySecond = new Map<number, Map<number, number>>();
  for (const sample of memory) {
    const t = Math.floor((sample.at - startedAt) / 1000);
    if (!rssBySecond.has(t)) rssBySecond.set(t, new Map());
    rssBySecond.get(t)!.set(sample.app, sample.rss);
  }
  for (const [t, byApp] of rssBySecond) {
    const second = timeline[t];
    if (second) second.rssMb = [...byApp.values()].reduce((a, b) => a + b, 0) / 2 ** 20;
  }
  return timeline;
}

export interface MemoryGrowth {
  /** Median RSS (MB) just after warm-up, and over the last tenth of the run, per app summed. */
  rssAfterWarmupMb: number | null;
  rssAtEndMb: number | null;
  rssGrowthPercent: number | null;
  heapAfterWarmupMb: number | null;
  heapAtEndMb: number | null;
  heapGrowthPercent: number | null;
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Memory after warm-up against memory at the end. Medians over a window, per app, summed:
 * one garbage collection must not decide the figure.
 */
export function memoryGrowth(memory: readonly MemorySample[], warmEnd: number, endedAt: number): MemoryGrowth {
  const window = Math.max(5000, (endedAt - warmEnd) / 10);
  const apps = [...new Set(memory.map((sample) => sample.app))];
  const sum = (from: number, to: number, field: 'rss' | 'heapUsed'): number | null => {
    const medians = apps.map((app) =>
      medianOf(memory.filter((s) => s.app === app && s.at >= from && s.at < to).map((s) => s[field])),
    );
    return medians.some((m) => m === null) ? null : medians.reduce((a, b) => a! + b!, 0)! / 2 ** 20;
  };
  const growth = (a: number | null, b: number | null) => (a && b ? (b / a - 1) * 100 : null);
  const rssAfterWarmupMb = sum(warmEnd, warmEnd + window, 'rss');
  const rssAtEndMb = sum(endedAt - window, endedAt, 'rss');
  const heapAfterWarmupMb = sum(warmEnd, warmEnd + window, 'heapUsed');
  const heapAtEndMb = sum(endedAt - window, endedAt, 'heapUsed');
  return {
    rssAfterWarmupMb,
    rssAtEndMb,
    rssGrowthPercent: growth(rssAfterWarmupMb, rssAtEndMb),
    heapAfterWarmupMb,
    heapAtEndMb,
    heapGrowthPercent: growth(heapAfterWarmupMb, heapAtEndMb),
  };
}

export type { Crash, Loss };
