import { fork } from 'node:child_process';
import type { GroupName } from '@session-stores/conformance';
import { fileURLToPath } from 'node:url';
import { JOB_VARIABLE, type ChildMessage, type GradeJob, type PlannedCase } from './protocol';
import type { CaseResult, StoreGrade } from './results';
import type { GradedStore } from './types';

/** The repository root, where children run. */
export const repoDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Children load the published builds (dist) of the suite and of our stores, as a third party
 * would: this tsconfig has no `paths` mapping @session-stores/* to the sources.
 */
const CHILD_TSCONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

/** After this many crashes of one store's process, its remaining cases are not run. */
const MAX_CRASHES = 20;

export interface StoreRunLimits {
  /** The whole store's budget; past it the child is killed and its remaining cases are not run. */
  storeBudgetMs: number;
  recoveryTimeoutMs: number;
  groups: GroupName[];
}

interface Attempt {
  /** The child exited after `done`. */
  finished: boolean;
  /** The index of the case that was running when it exited, if any. */
  running: number | null;
  exit: string;
  stderr: string;
}

function attempt(job: GradeJob, budgetMs: number, onMessage: (message: ChildMessage) => void): Promise<Attempt> {
  const child = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [], {
    cwd: repoDir,
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, [JOB_VARIABLE]: JSON.stringify(job), TSX_TSCONFIG_PATH: CHILD_TSCONFIG },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  let finished = false;
  let running: number | null = null;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'start') running = message.index;
    if (message.type === 'result') running = null;
    if (message.type === 'done') finished = true;
    onMessage(message);
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budgetMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const exit = timedOut
        ? `killed after the store's budget of ${Math.round(budgetMs / 60_000)} min`
        : signal
          ? `signal ${signal}`
          : `exit code ${code}`;
      resolve({ finished, running, exit, stderr: lastLines(stderr) });
    });
  });
}

/** The end of a child's stderr without stack frames: what the error said. */
function lastLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at ') && line !== '}' && line !== '{')
    .slice(-3)
    .join(' | ')
    .slice(0, 600);
}

/** Runs the suite on one store, in as many child processes as its crashes need. */
export async function gradeStore(
  store: GradedStore,
  limits: StoreRunLimits,
  log: (line: string) => void,
): Promise<StoreGrade> {
  const started = Date.now();
  const grade: StoreGrade = {
    id: store.id,
    title: store.title,
    ours: store.ours,
    versions: {},
    backend: store.backend,
    namespace: store.namespace,
    notes: [...(store.notes ?? [])],
    capabilities: null,
    error: null,
    crashes: 0,
    durationMs: 0,
    cases: [],
  };
  let from = 0;
  for (;;) {
    const remainingMs = limits.storeBudgetMs - (Date.now() - started);
    const outcome = await attempt(
      { storeId: store.id, from, recoveryTimeoutMs: limits.recoveryTimeoutMs, groups: limits.groups },
      remainingMs,
      (message) => {
        if (message.type === 'plan') {
          grade.backend = message.backend;
          grade.versions = message.versions;
          grade.capabilities = message.capabilities;
          if (grade.cases.length === 0)
            grade.cases = message.cases.map((planned: PlannedCase): CaseResult => ({
              ...planned,
              status: 'not run',
              reason: null,
            }));
        } else if (message.type === 'result') {
          const result = grade.cases[message.index]!;
          result.status = message.status;
          result.reason = message.reason;
          if (message.status === 'failed') log(`  ${store.id}: FAIL ${result.title}: ${message.reason}`);
        }
      },
    );
    if (outcome.finished) break;
    if (grade.cases.length === 0) {
      grade.error = `the suite could not start (${outcome.exit}): ${outcome.stderr || 'no output'}`;
      log(`  ${store.id}: ${grade.error}`);
      break;
    }
    const budgetSpent = Date.now() - started >= limits.storeBudgetMs;
    if (outcome.running !== null) {
      const result = grade.cases[outcome.running]!;
      result.status = budgetSpent ? 'not run' : 'crashed';
      result.reason = budgetSpent
        ? outcome.exit
        : `the process ended (${outcome.exit}): ${outcome.stderr || 'no output'}`;
      if (!budgetSpent) {
        grade.crashes++;
        log(`  ${store.id}: CRASH in ${result.title}: ${result.reason}`);
      }
      from = outcome.running + 1;
    } else {
      // Between cases: a store's background work (a timer, a late callback) ended the process.
      grade.crashes++;
      grade.notes.push(`The process ended between cases (${outcome.exit}): ${outcome.stderr || 'no output'}`);
      log(`  ${store.id}: CRASH between cases: ${outcome.stderr}`);
      from = grade.cases.findIndex((result) => result.status === 'not run');
    }
    const rest = grade.cases.slice(from).filter((result) => result.status === 'not run');
    if (budgetSpent || grade.crashes >= MAX_CRASHES || from < 0 || rest.length === 0) {
      const why = budgetSpent ? outcome.exit : `not run: the process crashed ${grade.crashes} times`;
      for (const result of rest) result.reason = why;
      break;
    }
  }
  grade.durationMs = Date.now() - started;
  return grade;
}
