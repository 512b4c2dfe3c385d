import type { GroupName, ResolvedCapabilities } from '@session-stores/conformance';
import type { CaseStatus, PlannedCase } from './protocol';

export interface CaseResult extends PlannedCase {
  status: CaseStatus;
  /** The failure's first line, the skip reason, or what ended the process. */
  reason: string | null;
}

/** One row of the card. */
export interface StoreGrade {
  id: string;
  title: string;
  ours: boolean;
  versions: Record<string, string>;
  backend: string;
  namespace: string;
  notes: string[];
  capabilities: ResolvedCapabilities | null;
  /** Why the suite could not run at all (the store or its backend could not be made), else null. */
  error: string | null;
  /** How many times the store's process crashed; the run went on after each crashed case. */
  crashes: number;
  durationMs: number;
  cases: CaseResult[];
}

export interface GradeCard {
  generatedAt: string;
  commit: string;
  node: string;
  suiteVersion: string;
  durationMs: number;
  /** How many stores ran side by side. */
  jobs: number;
  /** What the card applies to every store. */
  notes: string[];
  stores: StoreGrade[];
}

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** Clauses of the failed (or crashed, or not run) cases, ascending. */
  failedClauses: number[];
}

export function tally(cases: readonly CaseResult[], group?: GroupName): Tally {
  const counted = group ? cases.filter((result) => result.group === group) : cases;
  const failedClauses = new Set<number>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const result of counted) {
    if (result.status === 'passed') passed++;
    else if (result.status === 'skipped') skipped++;
    else {
      failed++;
      for (const clause of result.clauses) failedClauses.add(clause);
    }
  }
  return { passed, failed, skipped, failedClauses: [...failedClauses].sort((a, b) => a - b) };
}
