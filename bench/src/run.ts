import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { backendDefinitions } from './backends/index';
import { realisticSessionBytes } from './fixture';
import { measureBackend } from './measure-backend';
import { evaluateGoals } from './goals';
import { parseBenchOptions, USAGE } from './options';
import { renderMarkdown } from './report/markdown';
import { renderSvg } from './report/svg';
import type { BackendResult, BenchResults } from './results';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = resolve(benchDir, '..');

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(', ')}`;
  }
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Every figure that is missing or failed, for --check. */
function findProblems(backends: readonly BackendResult[]): string[] {
  const problems: string[] = [];
  for (const backend of backends) {
    if (backend.status !== 'measured')
      problems.push(`${backend.backend}: ${backend.status}: ${backend.notes.join('; ')}`);
    for (const row of backend.operations) {
      for (const [kind, entry] of Object.entries(row.subjects)) {
        if (entry.error !== undefined || entry.medianOpsPerSec === null)
          problems.push(
            `${backend.backend} ${row.operation} c${row.concurrency} ${kind}: ${entry.error ?? 'no figure'}`,
          );
      }
    }
    for (const row of backend.enumeration) {
      for (const [kind, entry] of Object.entries(row.subjects)) {
        if (entry.unsupported === undefined && (entry.error !== undefined || entry.medianMs === null))
          problems.push(`${backend.backend} ${row.operation} ${row.size} ${kind}: ${entry.error ?? 'no figure'}`);
      }
    }
    for (const row of backend.byUser?.indexCost ?? []) {
      for (const [side, entry] of Object.entries(row.subjects)) {
        if (entry.error !== undefined || entry.medianOpsPerSec === null)
          problems.push(
            `${backend.backend} by-user ${row.operation} c${row.concurrency} ${side}: ${entry.error ?? 'no figure'}`,
          );
      }
    }
    for (const query of backend.byUser?.queries ?? []) {
      if (query.error !== undefined || query.medianMs === null)
        problems.push(`${backend.backend} by-user ${query.call}: ${query.error ?? 'no figure'}`);
    }
    for (const [kind, entry] of Object.entries(backend.endToEnd?.subjects ?? {})) {
      if (entry.error !== undefined || entry.medianRequestsPerSec === null)
        problems.push(`${backend.backend} end to end ${kind}: ${entry.error ?? 'no figure'}`);
    }
  }
  return problems;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2), join(benchDir, 'results'));
  } catch (error) {
    log(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const uptimeBefore = uptime();
  // The code measured is the code loaded now: commits landing during the run are not in it.
  const commitAtStart = commit();
  const loadBefore = loadavg();
  log(
    `session-stores bench: ${options.backends.join(', ')}; suites ${options.suites.join(', ')}; ${options.rounds} round(s)${options.quick ? ' (quick)' : ''}`,
  );
  log(uptimeBefore);

  const backends: BackendResult[] = [];
  for (const name of options.backends) {
    const definition = backendDefinitions[name];
    if (!definition) {
      backends.push({
        backend: name,
        status: 'not measured',
        notes: ['the bench has no definition for this backend yet'],
        server: null,
        labels: { ours: `@session-stores/${name}`, anchor: '', raw: '' },
        unavailable: {},
        operations: [],
        enumeration: [],
        endToEnd: null,
        byUser: null,
        durationMs: 0,
      });
      continue;
    }
    backends.push(await measureBackend(definition, options, log));
  }

  const cpuList = cpus();
  const results: BenchResults = {
    meta: {
      startedAt,
      durationMs: Math.round(performance.now() - started),
      node: process.version,
      platform: `${platform()} ${release()}`,
      cpus: cpuList[0]?.model ?? 'unknown',
      cpuCount: cpuList.length,
      memoryGB: Math.round(totalmem() / 2 ** 30),
      loadBefore,
      loadAfter: loadavg(),
      uptimeBefore,
      uptimeAfter: uptime(),
      commit: commitAtStart,
      sessionBytes: realisticSessionBytes(),
      options: { ...options, outDir: undefined },
    },
    backends,
    goals: evaluateGoals(backends),
  };
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  // The report links to bench/README.md, wherever --out puts it.
  const benchReadme = relative(resolve(options.outDir), fileURLToPath(new URL('../README.md', import.meta.url)));
  await writeFile(join(options.outDir, 'latest.md'), renderMarkdown(results, benchReadme.split(sep).join('/')));
  await writeFile(join(options.outDir, 'latest.svg'), renderSvg(results));
  const measured = results.goals.filter((goal) => goal.met !== null);
  log(`goals: ${measured.filter((goal) => goal.met).length} of ${measured.length} met`);
  for (const goal of measured.filter((candidate) => !candidate.met))
    log(`  missed: ${goal.backend} ${goal.measurement} ${goal.kind}: ${goal.ratio}`);
  log(`results written to ${options.outDir}`);
  if (options.check) {
    const problems = findProblems(backends);
    for (const problem of problems) log(`check: ${problem}`);
    if (problems.length > 0) return 1;
  }
  return 0;
}

// Exit explicitly: anchor stores leave interval timers running (better-sqlite3-session-store's
// cleanup, connect-pg-simple's prune) that would keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
