import type { BackendName, SubjectKind } from './subject';

export const OPERATIONS = ['get', 'set', 'touch', 'destroy'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type EnumerationOperation = 'length' | 'all' | 'iterate';

/** A ratio measured round by round (both sides in the same round), and its median. */
export interface RatioStat {
  median: number;
  min: number;
  max: number;
  perRound: number[];
}

export interface OpsSample {
  ops: number;
  ms: number;
  opsPerSec: number;
}

export interface SubjectOps {
  perRound: (OpsSample | null)[];
  medianOpsPerSec: number | null;
  /** Set when a round failed: the figure is then not reported. */
  error?: string;
}

export interface OperationResult {
  operation: Operation;
  concurrency: number;
  subjects: Partial<Record<SubjectKind, SubjectOps>>;
  /** ours ops/s divided by the other's: above 1 means ours is faster. */
  oursOverAnchor: RatioStat | null;
  oursOverRaw: RatioStat | null;
}

export interface EnumerationSample {
  ms: number;
  /** Sessions the call returned (all) or reported (length). */
  count: number;
  /** Highest heap use during the call, minus the heap before it. */
  heapPeakMB: number;
  /** Highest resident set size during the call, minus the RSS before it. */
  rssPeakMB: number;
}

export interface SubjectEnumeration {
  perRound: (EnumerationSample | null)[];
  medianMs: number | null;
  medianHeapPeakMB: number | null;
  medianRssPeakMB: number | null;
  error?: string;
  /** Why the subject has no figure (method absent or not comparable). */
  unsupported?: string;
}

export interface EnumerationResult {
  operation: EnumerationOperation;
  size: number;
  /** raw: the bare driver listing the live sessions and parsing them (the limit). */
  subjects: Partial<Record<SubjectKind, SubjectEnumeration>>;
  /** Anchor time divided by ours: above 1 means ours is faster. */
  speedOursOverAnchor: RatioStat | null;
  /** Raw time divided by ours: 0.9 means ours takes 1/0.9 of the raw driver's time. */
  speedOursOverRaw: RatioStat | null;
}

export interface EndToEndSample {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
}

export interface SubjectEndToEnd {
  perRound: (EndToEndSample | null)[];
  medianRequestsPerSec: number | null;
  medianLatencyP99Ms: number | null;
  error?: string;
}

export interface EndToEndResult {
  subjects: Partial<Record<'ours' | 'anchor', SubjectEndToEnd>>;
  oursOverAnchor: RatioStat | null;
}

/** set or destroy with the user index kept (`userId` set) against the same store without it. */
export interface ByUserIndexCost {
  operation: 'set' | 'destroy';
  concurrency: number;
  /** `indexed`: ours with `userId`; `plain`: ours without it. */
  subjects: { indexed?: SubjectOps; plain?: SubjectOps };
  /** indexed ops/s divided by plain's: 0.9 means the index costs 10%. */
  indexedOverPlain: RatioStat | null;
}

export type ByUserCall = 'userSessions' | 'countUserSessions' | 'destroyUserSessions';

export interface ByUserQuerySample {
  ms: number;
  /** Sessions listed, counted or destroyed: checked against the user's. */
  count: number;
}

/** One call on one user's sessions among many stored. */
export interface ByUserQuery {
  call: ByUserCall;
  userSessions: number;
  totalSessions: number;
  perRound: (ByUserQuerySample | null)[];
  medianMs: number | null;
  error?: string;
}

export interface ByUserResult {
  /** Why the suite could not run on this backend: the store refuses `userId` (memcached) or cannot be built. */
  unavailable?: string;
  indexCost: ByUserIndexCost[];
  queries: ByUserQuery[];
  notes: string[];
}

export interface BackendResult {
  backend: BackendName;
  status: 'measured' | 'partly measured' | 'not measured';
  /** Why something was not measured. */
  notes: string[];
  server: string | null;
  labels: Record<SubjectKind, string>;
  /** Subjects that could not be built, with the reason. */
  unavailable: Partial<Record<SubjectKind, string>>;
  operations: OperationResult[];
  enumeration: EnumerationResult[];
  endToEnd: EndToEndResult | null;
  /** Sessions by user (`--suites by-user`); null when not run. */
  byUser: ByUserResult | null;
  durationMs: number;
}

export interface Goal {
  backend: BackendName;
  /** Which of the three goals of the issue. */
  kind:
    | 'ours >= anchor'
    | 'ours >= 0.9 x raw at c64'
    | 'ours >= 0.9 x raw (enumeration)'
    | 'iterate heap growth < 64 MB at 1,000,000'
    | 'sqlite writes >= 20 x anchor'
    | 'user index costs <= 10% (indexed >= 0.9 x plain)';
  /** E.g. "get c64", "all 100000", "end to end". */
  measurement: string;
  threshold: number;
  /** The figure checked: a ratio, or for the heap goal megabytes. */
  ratio: number | null;
  /** `below`: met when the figure is under the threshold (the heap goal); else at least it. */
  direction?: 'at least' | 'below';
  met: boolean | null;
  /** Ratio spread across rounds, to tell a clear miss from noise. */
  range: [number, number] | null;
}

export interface BenchResults {
  meta: {
    startedAt: string;
    durationMs: number;
    node: string;
    platform: string;
    cpus: string;
    cpuCount: number;
    memoryGB: number;
    loadBefore: number[];
    loadAfter: number[];
    uptimeBefore: string;
    uptimeAfter: string;
    commit: string | null;
    sessionBytes: number;
    options: Record<string, unknown>;
  };
  backends: BackendResult[];
  goals: Goal[];
}

/** Per-round ratios of two series measured side by side; rounds where either side is missing are skipped. */
export function ratioStat(
  numerators: readonly (number | null | undefined)[],
  denominators: readonly (number | null | undefined)[],
): RatioStat | null {
  const perRound: number[] = [];
  for (let index = 0; index < numerators.length; index++) {
    const top = numerators[index];
    const bottom = denominators[index];
    if (typeof top === 'number' && typeof bottom === 'number' && bottom > 0 && Number.isFinite(top))
      perRound.push(top / bottom);
  }
  if (perRound.length === 0) return null;
  const sorted = [...perRound].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, perRound };
}
