import type { RunResult } from './soak-run';

/** The targets, checked on every run. */
export const RECOVERY_GOAL_MS = 5000;
export const MEMORY_GROWTH_GOAL_PERCENT = 10;

export interface GoalCheck {
  goal: string;
  met: boolean;
  /** False when the run cannot judge it (memory growth over a short run): shown, never failed. */
  judged: boolean;
  detail: string;
}

export function checkGoals(run: RunResult, profile: 'full' | 'short'): GoalCheck[] {
  const slowest = run.faults.reduce((max, fault) => Math.max(max, fault.recoveryMs), 0);
  const lost = run.lost.missing + run.lost.stale;
  const growth = run.memory.rssGrowthPercent;
  return [
    {
      goal: 'no process crash or unhandled rejection',
      met: run.crashes.length === 0,
      judged: true,
      detail:
        run.crashes.length === 0
          ? '0'
          : run.crashes
              .map((crash) => `${crash.exit}: ${crash.stderrTail.split('\n').find((line) => line.trim()) ?? ''}`)
              .join('; '),
    },
    {
      goal: `no request hanging past ${run.hangThresholdMs} ms`,
      met: run.hangs === 0,
      judged: true,
      detail: String(run.hangs),
    },
    {
      goal: `requests succeed again within ${RECOVERY_GOAL_MS / 1000} s of the backend's return`,
      met: slowest <= RECOVERY_GOAL_MS,
      judged: true,
      detail: `slowest ${slowest} ms`,
    },
    {
      goal: run.durable
        ? 'no acknowledged session lost or stale after a fault'
        : 'acknowledged sessions lost or stale after a fault (measured)',
      met: !run.durable || lost === 0,
      judged: run.durable,
      detail: `${run.lost.missing} missing, ${run.lost.stale} stale`,
    },
    {
      goal: 'no acknowledged session lost or stale without a fault',
      met: run.lost.withoutFault === 0,
      judged: true,
      detail: String(run.lost.withoutFault),
    },
    {
      goal: `RSS grows at most ${MEMORY_GROWTH_GOAL_PERCENT}% after warm-up`,
      met: growth === null || growth <= MEMORY_GROWTH_GOAL_PERCENT,
      // A short run has no steady state to compare with.
      judged: profile === 'full' && growth !== null,
      detail: growth === null ? 'no samples' : `${growth.toFixed(1)}%`,
    },
  ];
}

/** Goals judged and missed, across runs. */
export function missedGoals(runs: readonly RunResult[], profile: 'full' | 'short'): string[] {
  return runs.flatMap((run) =>
    checkGoals(run, profile)
      .filter((check) => check.judged && !check.met)
      .map((check) => `${run.target} (${run.apps} app${run.apps > 1 ? 's' : ''}): ${check.goal}: ${check.detail}`),
  );
}
