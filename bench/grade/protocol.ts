import type { GroupName, ResolvedCapabilities } from '@session-stores/conformance';

/** The environment variable through which a child gets its job. */
export const JOB_VARIABLE = 'SESSION_GRADE_JOB';

export interface GradeJob {
  storeId: string;
  /** Index of the first case to run: after a crash, the next child starts past the case that crashed. */
  from: number;
  recoveryTimeoutMs: number;
  /** The clause groups to run (all when empty): a quick check of a store's wiring. */
  groups: GroupName[];
}

export interface PlannedCase {
  group: GroupName;
  clauses: number[];
  /** The suite's own title: `[C3, C8] set(sid, session) ...`. */
  title: string;
  /** The suite's reason to skip it for this store, or null. */
  skipReason: string | null;
}

export type CaseStatus = 'passed' | 'failed' | 'skipped' | 'crashed' | 'not run';

/** What a child tells its parent, in this order: plan, then start/result per case, then done. */
export type ChildMessage =
  | {
      type: 'plan';
      backend: string;
      versions: Record<string, string>;
      capabilities: ResolvedCapabilities;
      cases: PlannedCase[];
    }
  | { type: 'start'; index: number }
  | { type: 'result'; index: number; status: 'passed' | 'failed' | 'skipped'; reason: string | null }
  | { type: 'done' };
