import type { CaseContext } from './context';
import type { ConformanceOptions, ResolvedCapabilities } from './types';

/** The clause groups, each exported as a function of the same options as runConformance. */
export const GROUP_NAMES = [
  'requiredMethods',
  'expiry',
  'enumeration',
  'isolation',
  'errorsAndFaults',
  'dataFidelity',
  'concurrency',
  'callbacksAndPromises',
  'endToEnd',
  'sessionsByUser',
  'hardening',
] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** What decides whether a case runs, and its time budget. */
export interface CaseEnvironment {
  options: ConformanceOptions;
  capabilities: ResolvedCapabilities;
}

/** One test of the suite, runnable by vitest (runConformance) or directly (runCase). */
export interface ConformanceCase {
  /** The CONTRACT.md clauses this case checks. */
  readonly clauses: readonly number[];
  readonly group: GroupName;
  /** Reads like a call: `touch(sid) with a later expires keeps the session alive`. */
  readonly title: string;
  /** Why the case cannot run against this store, or null when it runs. */
  skipReason?(env: CaseEnvironment): string | null;
  /** The budget for the whole case, in ms (default: 30 s plus ten times the granularity). */
  timeoutMs?(env: CaseEnvironment): number;
  run(context: CaseContext): Promise<void>;
}

/** `[C3, C8] set(sid, session) ...` */
export function caseTitle(testCase: Pick<ConformanceCase, 'clauses' | 'title'>): string {
  return `[${testCase.clauses.map((clause) => `C${clause}`).join(', ')}] ${testCase.title}`;
}

export function caseTimeoutMs(testCase: ConformanceCase, env: CaseEnvironment): number {
  return testCase.timeoutMs?.(env) ?? 30_000 + 10 * env.capabilities.ttlGranularityMs;
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Skip reasons shared by many cases. */
export const requires = {
  method:
    (method: 'touch' | 'all' | 'ids' | 'length' | 'clear' | 'iterate') =>
    ({ capabilities }: CaseEnvironment): string | null =>
      capabilities[method] ? null : `capabilities.${method} is false`,
  anyOf:
    (...methods: ('all' | 'ids' | 'length')[]) =>
    ({ capabilities }: CaseEnvironment): string | null =>
      methods.some((method) => capabilities[method])
        ? null
        : `${listed(methods.map((method) => `capabilities.${method}`))} are false`,
  sessionsByUser: ({ capabilities }: CaseEnvironment): string | null =>
    capabilities.sessionsByUser ? null : 'capabilities.sessionsByUser is false (no userId option, or no index by user)',
  faults: ({ options }: CaseEnvironment): string | null =>
    options.faults ? null : 'no options.faults (stopBackend/startBackend) given',
  inspect:
    (hook: 'rawTtlMs' | 'rawValue' | 'writeCorrupt') =>
    ({ options }: CaseEnvironment): string | null =>
      typeof options.inspect?.[hook] === 'function' ? null : `no options.inspect.${hook} given`,
  all:
    (...checks: ((env: CaseEnvironment) => string | null)[]) =>
    (env: CaseEnvironment): string | null => {
      for (const check of checks) {
        const reason = check(env);
        if (reason) return reason;
      }
      return null;
    },
};

/** The time budget of a case that stops and starts the backend. */
export function faultCaseTimeoutMs({ options }: CaseEnvironment): number {
  return 3 * (options.faultTimeoutMs ?? 5000) + 2 * (options.recoveryTimeoutMs ?? 60_000) + 60_000;
}
