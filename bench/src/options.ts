import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from './subject';

export const SUITES = ['ops', 'enumeration', 'e2e', 'by-user'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  backends: BackendName[];
  suites: SuiteName[];
  /** Interleaved rounds of every measurement; medians are reported. */
  rounds: number;
  /** Rounds of the all/length/iterate measurements below a million sessions (each a child process per subject and size). */
  enumerationRounds: number;
  /** Rounds of those measurements at a million sessions and more (see {@link LARGE_ENUMERATION}). */
  largeEnumerationRounds: number;
  /** Per operation measurement: stop after this many ops or this many ms. */
  opsAtConcurrency1: number;
  opsAtConcurrency64: number;
  maxMsPerMeasurement: number;
  concurrencies: number[];
  /** Numbers of stored sessions over which all() and length() are timed. */
  enumerationSizes: number[];
  /** Per backend, the largest size timed (sizes above it are skipped and the report says so). */
  sizeCaps: Partial<Record<BackendName, number>>;
  /** autocannon run per store and round. */
  e2eSeconds: number;
  e2eConnections: number;
  /** Sessions stored when timing userSessions/destroyUserSessions, and how many of them are the one user's. */
  byUserTotal: number;
  byUserSessions: number;
  /** Results directory: latest.json, latest.md, latest.svg. */
  outDir: string;
  quick: boolean;
  /** Exit 1 when any figure could not be measured (a failed call, a missing store): for the smoke run. */
  check: boolean;
}

export const USAGE = `Usage: pnpm bench [flags]

  --backends redis,sqlite     backends to measure (default: ${BACKENDS.join(',')})
  --suites ops,enumeration,e2e,by-user  suites to run (default: all four)
  --rounds N                  interleaved rounds, medians reported (default 5; --quick 1)
  --enum-rounds N             rounds of all()/length()/iterate() below 1,000,000 sessions (default 3; --quick 1)
  --enum-rounds-1m N          rounds of all()/length()/iterate() at 1,000,000 sessions and more (default 1)
  --sizes 10000,100000        sessions stored for all()/length()/iterate() (default 10000,100000,1000000)
  --max-size mongo=100000     per-backend caps on --sizes, replacing the default mongo=100000 (see bench/README.md)
  --ops N                     operations per measurement at concurrency 64 (default 20000; c1 gets a fifth)
  --max-ms N                  time cap per measurement in ms (default 2000)
  --e2e-seconds N             autocannon duration per store and round (default 5)
  --by-user N/TOTAL           one user's sessions among TOTAL stored, for by-user listing (default 1000/100000; --quick 100/10000)
  --quick                     smoke run: small sizes, 1 round, short runs
  --out DIR                   results directory (default bench/results; --quick: bench/results/quick)
  --check                     exit 1 if any figure could not be measured (smoke runs)
  --help
`;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`--${name} expects a positive integer, got "${text}"`);
  return value;
}

function list<T extends string>(
  name: string,
  text: string | undefined,
  allowed: readonly T[],
  fallback: readonly T[],
): T[] {
  if (text === undefined) return [...fallback];
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new TypeError(`--${name}: unknown "${item}"; expected some of ${allowed.join(', ')}`);
  }
  if (items.length === 0) throw new TypeError(`--${name} expects a comma-separated list`);
  return allowed.filter((item) => items.includes(item));
}

/**
 * FerretDB, which stands in for MongoDB where no MongoDB can run, answers about 3,000
 * documents a second to a listing here: each call over 1,000,000 sessions would take some six
 * minutes, the backend about 35 minutes a round. Against a real MongoDB (MONGO_URL), lift it
 * with --max-size mongo=1000000.
 */
const DEFAULT_SIZE_CAPS: Partial<Record<BackendName, number>> = { mongo: 100_000 };

function parseSizeCaps(text: string | undefined): Partial<Record<BackendName, number>> {
  if (text === undefined) return { ...DEFAULT_SIZE_CAPS };
  const caps: Partial<Record<BackendName, number>> = {};
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [name, size] = item.split('=');
    if (!BACKENDS.includes(name as BackendName))
      throw new TypeError(
        `--max-size: unknown backend "${name}"; expected backend=N with backend one of ${BACKENDS.join(', ')}`,
      );
    caps[name as BackendName] = positiveInt('max-size', size, 1);
  }
  return caps;
}

/**
 * From this size on, enumeration runs `largeEnumerationRounds` rounds (default 1). Measured here
 * (see bench/README.md, "Limits"): a round over a million sessions on every backend takes about
 * 40 minutes here, so three rounds would make that size alone take about two hours, against
 * about 50 minutes for one (writes included); at 10,000 and 100,000 three rounds are cheap.
 */
export const LARGE_ENUMERATION = 1_000_000;

/** How many rounds the enumeration suite runs over `size` sessions. */
export function enumerationRoundsFor(options: BenchOptions, size: number): number {
  return size >= LARGE_ENUMERATION ? options.largeEnumerationRounds : options.enumerationRounds;
}

/** `--by-user N/TOTAL`: N sessions of one user among TOTAL stored (N at most TOTAL). */
function parseByUser(text: string | undefined, quick: boolean): [number, number] {
  if (text === undefined) return quick ? [100, 10_000] : [1000, 100_000];
  const [user, total, extra] = text.split('/');
  if (extra !== undefined || total === undefined)
    throw new TypeError(`--by-user expects N/TOTAL (e.g. 1000/100000), got "${text}"`);
  const sessions = positiveInt('by-user', user, 1);
  const stored = positiveInt('by-user', total, 1);
  if (sessions > stored)
    throw new TypeError(`--by-user: ${sessions} sessions of one user cannot exceed ${stored} stored`);
  return [sessions, stored];
}

export function parseBenchOptions(argv: string[], defaultOutDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backends: { type: 'string' },
      suites: { type: 'string' },
      rounds: { type: 'string' },
      'enum-rounds': { type: 'string' },
      'enum-rounds-1m': { type: 'string' },
      sizes: { type: 'string' },
      'max-size': { type: 'string' },
      ops: { type: 'string' },
      'max-ms': { type: 'string' },
      'e2e-seconds': { type: 'string' },
      'by-user': { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const ops64 = positiveInt('ops', values.ops, quick ? 2000 : 20_000);
  const sizes =
    values.sizes === undefined
      ? quick
        ? [1000]
        : [10_000, 100_000, 1_000_000]
      : values.sizes.split(',').map((size) => positiveInt('sizes', size.trim(), 1));
  const [byUserSessions, byUserTotal] = parseByUser(values['by-user'], quick);
  return {
    backends: list('backends', values.backends, BACKENDS, BACKENDS),
    suites: list('suites', values.suites, SUITES, SUITES),
    rounds: positiveInt('rounds', values.rounds, quick ? 1 : 5),
    enumerationRounds: positiveInt('enum-rounds', values['enum-rounds'], quick ? 1 : 3),
    largeEnumerationRounds: positiveInt('enum-rounds-1m', values['enum-rounds-1m'], 1),
    opsAtConcurrency1: Math.max(1, Math.round(ops64 / 5)),
    opsAtConcurrency64: ops64,
    maxMsPerMeasurement: positiveInt('max-ms', values['max-ms'], quick ? 500 : 2000),
    concurrencies: [1, 64],
    enumerationSizes: [...new Set(sizes)].sort((a, b) => a - b),
    sizeCaps: parseSizeCaps(values['max-size']),
    e2eSeconds: positiveInt('e2e-seconds', values['e2e-seconds'], quick ? 1 : 5),
    e2eConnections: 32,
    byUserTotal,
    byUserSessions,
    // A smoke run never overwrites the committed results.
    outDir: values.out ?? (quick ? join(defaultOutDir, 'quick') : defaultOutDir),
    quick,
    check: values.check === true,
  };
}
