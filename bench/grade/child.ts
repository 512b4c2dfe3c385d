import {
  callWithCallback,
  capabilitiesFor,
  caseTitle,
  GROUP_NAMES,
  planGroup,
  runCase,
  resolveCapabilities,
  type ConformanceOptions,
  type PlannedTest,
  type ResolvedCapabilities,
  suiteUserId,
} from '@session-stores/conformance';
import { JOB_VARIABLE, type ChildMessage, type GradeJob } from './protocol';
import { startGradeBackend } from './server';
import { gradedStore } from './stores/index';
import { closeOpened } from './types';
import { storeVersions } from './versions';

// One store's run of the suite, in a process of its own: the parent reads the messages, and a
// crash of this process (a store's uncaught exception, a native fault) costs only the case
// that was running.

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Runs one case with the budget vitest would give it; a case past it fails and the run goes on. */
async function runWithinBudget(test: PlannedTest, options: ConformanceOptions, env: Parameters<typeof runCase>[2]) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the case did not end within ${test.timeoutMs} ms`)), test.timeoutMs);
  });
  try {
    await Promise.race([runCase(test.testCase, options, env), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The failure for the card: the message on one line, cut short (some quote a whole session). */
function briefly(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * The manifest, read from a store that served one call before it is closed. The suite's own probe
 * closes its store at once, and several stores crash the process when closed while they are still
 * setting up (connect-mongo, connect-session-knex): that would cost the whole row, where a crash
 * in a case costs that case.
 */
async function readManifest(options: ConformanceOptions): Promise<ResolvedCapabilities> {
  const store = await options.createStore({ namespace: 'grade_probe', userId: suiteUserId });
  try {
    await callWithCallback(store, 'get', ['grade-probe'], 10_000);
    return resolveCapabilities(options, store);
  } finally {
    await closeOpened(store);
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env[JOB_VARIABLE]!) as GradeJob;
  const store = gradedStore(job.storeId);
  const backend = await startGradeBackend(store.backend);
  const options: ConformanceOptions = {
    name: store.title,
    createStore: store.factory(backend.server),
    closeStore: closeOpened,
    capabilities: store.capabilities?.(backend.server),
    faults: backend.faults,
    recoveryTimeoutMs: job.recoveryTimeoutMs,
  };
  const manifest = await readManifest(options);
  // Complete, so the suite makes no probe store of its own.
  options.capabilities = { ...manifest, defaultTtlMs: manifest.defaultTtlMs ?? undefined };
  const capabilities = await capabilitiesFor(options);
  const groups = job.groups.length > 0 ? job.groups : GROUP_NAMES;
  const planned = groups.flatMap((group) => planGroup(group, { options, capabilities }));
  await send({
    type: 'plan',
    backend: backend.description,
    versions: storeVersions(store.packages),
    capabilities,
    cases: planned.map((test) => ({
      group: test.group,
      clauses: [...test.testCase.clauses],
      title: caseTitle(test.testCase),
      skipReason: test.skipReason,
    })),
  });
  for (let index = job.from; index < planned.length; index++) {
    const test = planned[index]!;
    await send({ type: 'start', index });
    if (test.skipReason) {
      await send({ type: 'result', index, status: 'skipped', reason: test.skipReason });
      continue;
    }
    try {
      await runWithinBudget(test, options, capabilities);
      await send({ type: 'result', index, status: 'passed', reason: null });
    } catch (error) {
      await send({ type: 'result', index, status: 'failed', reason: briefly(error) });
    }
  }
  await send({ type: 'done' });
  await backend.dispose().catch(() => undefined);
}

main().then(
  // Third-party stores leave timers and sockets behind: the child ends here, not when they do.
  () => process.exit(0),
  (error: unknown) => {
    console.error('grade child:', error);
    process.exit(1);
  },
);
