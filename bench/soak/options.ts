import { SOAK_TARGET_NAMES, type SoakTargetName } from './targets';

/** How long, how hard and how broken: a profile's numbers, overridable by flags. */
export interface SoakOptions {
  profile: 'full' | 'short';
  targets: SoakTargetName[];
  /** Per target, split evenly between its runs. */
  secondsPerTarget: number;
  /** App processes of each run: [1, 2] runs one app, then two sharing the backend. */
  appCounts: number[];
  users: number;
  concurrency: number;
  /** How long a stopped, killed or frozen backend stays down. */
  downMs: number;
  operationTimeoutMs: number;
  /** `--users` or `--concurrency` given: every target runs at that load, its own `load` ignored. */
  loadFromFlags: boolean;
  out: string;
  /** Keep the runs of other targets already in `out/soak.json` (each keeps its commit). */
  merge: boolean;
  check: boolean;
}

const PROFILES: Record<
  SoakOptions['profile'],
  Omit<SoakOptions, 'profile' | 'loadFromFlags' | 'out' | 'merge' | 'check'>
> = {
  full: {
    targets: [...SOAK_TARGET_NAMES],
    secondsPerTarget: 600,
    appCounts: [1, 2],
    users: 1000,
    concurrency: 32,
    downMs: 5000,
    operationTimeoutMs: 2000,
  },
  // Under two minutes for everything, for CI: one run with two apps, the first fault of each.
  short: {
    targets: SOAK_TARGET_NAMES.filter((name) => name !== 'redis-everysec'),
    secondsPerTarget: 12,
    appCounts: [2],
    users: 100,
    concurrency: 8,
    downMs: 2000,
    operationTimeoutMs: 2000,
  },
};

const USAGE = `pnpm soak [--short] [--targets a,b] [--minutes N] [--apps 1,2] [--users N] [--concurrency N] [--down-ms N] [--out DIR] [--merge] [--check]
targets: ${SOAK_TARGET_NAMES.join(', ')}`;

export function parseOptions(argv: readonly string[]): SoakOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    if (flag === '--short' || flag === '--check' || flag === '--merge') flags.set(flag, 'true');
    else if (flag.startsWith('--') && argv[i + 1] !== undefined) flags.set(flag, argv[++i]!);
    else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  const profile = flags.has('--short') ? 'short' : 'full';
  const base = PROFILES[profile];
  const number = (flag: string, fallback: number) => {
    const value = flags.get(flag);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} must be a positive number, got ${value}`);
    return parsed;
  };
  const list = (flag: string) => flags.get(flag)?.split(',').filter(Boolean);
  const targets = (list('--targets') ?? base.targets) as SoakTargetName[];
  for (const target of targets) {
    if (!SOAK_TARGET_NAMES.includes(target)) throw new Error(`unknown target ${target}\n${USAGE}`);
  }
  return {
    profile,
    targets,
    secondsPerTarget: flags.has('--minutes') ? number('--minutes', 0) * 60 : base.secondsPerTarget,
    appCounts: list('--apps')?.map(Number) ?? base.appCounts,
    users: number('--users', base.users),
    concurrency: number('--concurrency', base.concurrency),
    downMs: number('--down-ms', base.downMs),
    operationTimeoutMs: base.operationTimeoutMs,
    loadFromFlags: flags.has('--users') || flags.has('--concurrency'),
    merge: flags.has('--merge'),
    out: flags.get('--out') ?? (profile === 'short' ? 'bench/results/soak-short' : 'bench/results'),
    check: flags.has('--check'),
  };
}
