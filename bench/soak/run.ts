/**
 * `pnpm soak`: per backend, Express apps with our store under a population of users with
 * cookies, while the backend is killed, stopped, frozen, failed over or locked; then the
 * report (bench/results/soak.{json,md,svg}). See bench/soak/README.md.
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { isStrictMode } from '@session-stores/test-servers';
import { missedGoals } from './goals';
import { parseOptions } from './options';
import { keptRuns, reportMeta, writeSoakReport, type SoakReport } from './report';
import { soakRun, TargetUnavailableError, type RunResult } from './soak-run';
import { SOAK_TARGET_NAMES, SOAK_TARGETS } from './targets';

const options = parseOptions(process.argv.slice(2));
const startedAt = Date.now();
const loadBefore = loadavg().map((n) => Number(n.toFixed(2)));
const runs: RunResult[] = [];
const failures: string[] = [];
const skipped: string[] = [];

for (const name of options.targets) {
  const runMs = (options.secondsPerTarget * 1000) / options.appCounts.length;
  for (const apps of options.appCounts) {
    process.stdout.write(`soak: ${name} with ${apps} app${apps > 1 ? 's' : ''} for ${runMs / 1000} s ... `);
    try {
      const run = await soakRun(SOAK_TARGETS[name], apps, options, runMs);
      runs.push(run);
      const slowest = run.faults.reduce((max, fault) => Math.max(max, fault.recoveryMs), 0);
      console.log(
        `${run.requests} requests, ${run.errors} failed, ${run.crashes.length} crashes, ${run.hangs} hangs, ` +
          `${run.lost.missing + run.lost.stale} lost, recovery ${slowest} ms`,
      );
    } catch (error) {
      // In CI a backend that could not start fails the run; locally it is skipped with the reason.
      const reason = error instanceof Error ? error.message : String(error);
      const skip = error instanceof TargetUnavailableError && !isStrictMode();
      (skip ? skipped : failures).push(`${name}: ${reason}`);
      console.log(`${skip ? 'skipped' : 'failed'}: ${reason.split('\n')[0]}`);
    }
  }
}

const meta = reportMeta(options, startedAt, loadBefore);
let report: SoakReport = { meta, runs };
if (options.merge) {
  const previous = JSON.parse(await readFile(join(options.out, 'soak.json'), 'utf8')) as SoakReport;
  const kept = keptRuns(previous, options.targets);
  const order = (run: { target: string }) =>
    SOAK_TARGET_NAMES.indexOf(run.target as (typeof SOAK_TARGET_NAMES)[number]);
  const all = [...kept.runs, ...runs].sort((a, b) => order(a) - order(b) || a.apps - b.apps);
  report = { meta: { ...meta, ...(kept.kept.length > 0 ? { kept: kept.kept } : {}) }, runs: all };
}
await writeSoakReport(options.out, report);
// Only this run's targets decide --check: kept runs were judged when they ran.
const missed = missedGoals(runs, options.profile);
console.log(
  `soak: results in ${options.out}/soak.{json,md,svg} after ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
);
for (const line of skipped) console.log(`  skipped: ${line.split('\n')[0]}`);
for (const line of [...failures, ...missed]) console.log(`  missed: ${line}`);
if (options.check && failures.length + missed.length > 0) process.exitCode = 1;
