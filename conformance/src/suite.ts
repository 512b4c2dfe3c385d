import { describe, it } from 'vitest';
import { capabilitiesFor } from './capabilities';
import {
  caseTimeoutMs,
  caseTitle,
  GROUP_NAMES,
  type CaseEnvironment,
  type ConformanceCase,
  type GroupName,
} from './case';
import { casesByGroup } from './cases/index';
import { runCase, skipReasonOf } from './context';
import type { ConformanceOptions, StoreUnderTest } from './types';

const GROUP_TITLES: Record<GroupName, string> = {
  requiredMethods: 'required methods (clauses 1-9)',
  expiry: 'expiry (clauses 10-22)',
  enumeration: 'enumeration and namespaces (clauses 23-28)',
  isolation: 'isolation (clauses 29-31)',
  errorsAndFaults: 'errors and faults (clauses 32-39)',
  dataFidelity: 'data fidelity (clauses 40-46)',
  concurrency: 'concurrency (clauses 47-50)',
  callbacksAndPromises: 'callbacks and promises (clauses 51-54)',
  endToEnd: 'end to end (clauses 55-56)',
  sessionsByUser: 'sessions by user (clauses 57-62)',
  hardening: 'hardening (clauses 63-67)',
};

function checkOptions(options: ConformanceOptions): void {
  if (!options || typeof options !== 'object')
    throw new TypeError('runConformance(options): options must be an object');
  if (typeof options.name !== 'string' || options.name.length === 0)
    throw new TypeError('runConformance(options): options.name must be a non-empty string');
  if (typeof options.createStore !== 'function')
    throw new TypeError('runConformance(options): options.createStore must be a function ({ namespace }) => store');
  if (
    options.faults &&
    (typeof options.faults.stopBackend !== 'function' || typeof options.faults.startBackend !== 'function')
  ) {
    throw new TypeError('runConformance(options): options.faults must have stopBackend() and startBackend() functions');
  }
}

/** One test as the report shows it: its title, and why it is skipped (null when it runs). */
export interface PlannedTest {
  group: GroupName;
  groupTitle: string;
  title: string;
  skipReason: string | null;
  timeoutMs: number;
  testCase: ConformanceCase;
}

/** The tests a group declares for a store with this manifest, skipped ones included. */
export function planGroup(group: GroupName, env: CaseEnvironment): PlannedTest[] {
  return casesByGroup[group].map((testCase) => {
    const skipReason = skipReasonOf(testCase, env);
    const title = caseTitle(testCase);
    return {
      group,
      groupTitle: GROUP_TITLES[group],
      title: skipReason ? `${title} (skipped: ${skipReason})` : title,
      skipReason,
      timeoutMs: caseTimeoutMs(testCase, env),
      testCase,
    };
  });
}

/** Declares one group's tests in the current suite, once the manifest is known. */
function declareGroup(group: GroupName, options: ConformanceOptions, env: CaseEnvironment): void {
  describe(GROUP_TITLES[group], () => {
    for (const planned of planGroup(group, env)) {
      if (planned.skipReason) it.skip(planned.title, () => {});
      else
        it(planned.title, { timeout: planned.timeoutMs }, () => runCase(planned.testCase, options, env.capabilities));
    }
  });
}

/**
 * The describe block every entry point makes. Its callback is async: vitest awaits it while
 * collecting, so the manifest can be read from a probe store (or taken from a complete
 * options.capabilities) before the tests are declared, and skipped tests carry their reason
 * in their titles. Tests run sequentially: some stop the backend or watch process-wide events.
 */
function declare(title: string, options: ConformanceOptions, groups: readonly GroupName[]): void {
  checkOptions(options);
  // `{ concurrent: false }` rather than describe.sequential, which vitest 5 removed: the
  // option means "in order" in both supported majors, even under sequence.concurrent.
  describe(title, { concurrent: false }, async () => {
    const capabilities = await capabilitiesFor(options);
    const env: CaseEnvironment = { options, capabilities };
    for (const group of groups) declareGroup(group, options, env);
  });
}

/** Declares the whole conformance suite (every clause of CONTRACT.md) for a store. */
export function runConformance<S extends StoreUnderTest>(options: ConformanceOptions<S>): void {
  declare(`conformance: ${options?.name}`, options, GROUP_NAMES);
}

function groupRunner(group: GroupName): <S extends StoreUnderTest>(options: ConformanceOptions<S>) => void {
  return (options) => declare(`conformance: ${options?.name}`, options, [group]);
}

/** Clauses 1-9: Store instance, get/set/destroy semantics, no mutation of inputs, opaque sids. */
export const requiredMethods = groupRunner('requiredMethods');
/** Clauses 10-22: expiry from cookie.expires, granularity, long lifetimes, touch. */
export const expiry = groupRunner('expiry');
/** Clauses 23-28: all, ids, length, clear, iterate, namespaces, absent methods. */
export const enumeration = groupRunner('enumeration');
/** Clauses 29-31: no shared references, independent sids. */
export const isolation = groupRunner('isolation');
/** Clauses 32-39: backend faults, no throws, callback throws, ENOENT, corrupt data, recovery. */
export const errorsAndFaults = groupRunner('errorsAndFaults');
/** Clauses 40-46: JSON fidelity, Unicode, numbers, odd keys, size, prototype safety. */
export const dataFidelity = groupRunner('dataFidelity');
/** Clauses 47-50: parallel writes, read-your-writes, touch racing set or destroy. */
export const concurrency = groupRunner('concurrency');
/** Clauses 51-54: callbacks once and async, promises, error shape. */
export const callbacksAndPromises = groupRunner('callbacksAndPromises');
/** Clauses 55-56: a real express app with express-session on the store. */
export const endToEnd = groupRunner('endToEnd');
/** Clauses 57-62: a user's live sessions listed, counted and destroyed, following expiry, destroy and user changes. */
export const sessionsByUser = groupRunner('sessionsByUser');
/** Clauses 63-67: throwing listeners, unrepresentable expiries, distinct sids, no sids or contents in errors, non-object sessions refused. */
export const hardening = groupRunner('hardening');
