import { describe, expect, it } from 'vitest';
import { parseOptions } from '../options';
import { keptRuns, soakMarkdown, type SoakReport } from '../report';
import type { RunResult } from '../soak-run';

const run = (target: string, apps: number, extra: Partial<RunResult> = {}): RunResult =>
  ({
    target,
    apps,
    server: 'local',
    durable: true,
    seconds: 300,
    startedAt: 0,
    requests: 10,
    errors: 0,
    overall: { requests: 10, errors: 0, p50: 1, p99: 2 },
    crashes: [],
    hangs: 0,
    hangThresholdMs: 7000,
    lost: { missing: 0, stale: 0, withoutFault: 0 },
    faults: [],
    memory: { rssGrowthPercent: 1, heapGrowthPercent: 1 },
    lateErrors: 0,
    timeline: [],
    ...extra,
  }) as RunResult;

const { out: _out, check: _check, merge: _merge, loadFromFlags: _loadFromFlags, ...fullProfile } = parseOptions([]);

const meta = (commit: string, kept?: SoakReport['meta']['kept']): SoakReport['meta'] => ({
  startedAt: '2026-12-01T00:00:00.000Z',
  durationMs: 60_000,
  commit,
  node: 'v24',
  cpuCount: 2,
  loadBefore: [1, 1, 1],
  loadAfter: [2, 2, 2],
  // The full profile's options (1000 users, 32 in flight), as the report keeps them.
  options: fullProfile,
  ...(kept ? { kept } : {}),
});

describe('soak --merge', () => {
  it("keeps the other targets' runs, stamped with the commit and load of the report they came from", () => {
    // A report written before runs carried their commit and load.
    const legacy = { meta: meta('aaaa'), runs: [run('redis', 1), run('postgres', 1), run('postgres', 2)] };
    for (const r of legacy.runs) {
      const loose = r as Partial<RunResult>;
      delete loose.commit;
      delete loose.users;
      delete loose.concurrency;
    }
    const { runs, kept } = keptRuns(legacy as SoakReport, ['postgres']);
    expect(runs.map((r) => [r.target, r.apps, r.commit, r.users, r.concurrency])).toEqual([
      ['redis', 1, 'aaaa', 1000, 32],
    ]);
    expect(kept).toEqual([
      {
        targets: ['redis'],
        commit: 'aaaa',
        startedAt: legacy.meta.startedAt,
        loadBefore: [1, 1, 1],
        loadAfter: [2, 2, 2],
      },
    ]);
  });

  it('carries older kept runs forward, dropping the targets measured again', () => {
    const older = { targets: ['redis', 'sqlite'], commit: 'aaaa', startedAt: 'then', loadBefore: [0], loadAfter: [0] };
    const previous: SoakReport = {
      meta: meta('bbbb', [older]),
      runs: [
        run('redis', 1, { commit: 'aaaa', users: 1000, concurrency: 32, unattributed: [] }),
        run('sqlite', 1, { commit: 'aaaa', users: 1000, concurrency: 32, unattributed: [] }),
        run('mongo', 1, { commit: 'bbbb', users: 250, concurrency: 8, unattributed: [] }),
      ],
    };
    const { runs, kept } = keptRuns(previous, ['sqlite']);
    expect(runs.map((r) => `${r.target}@${r.commit}`)).toEqual(['redis@aaaa', 'mongo@bbbb']);
    expect(kept.map((k) => [k.commit, k.targets])).toEqual([
      ['aaaa', ['redis']],
      ['bbbb', ['mongo']],
    ]);
  });

  it('shows each run with its commit and load, why a target ran at its own load, and the losses no fault explains', () => {
    const report: SoakReport = {
      meta: meta('cccc', [{ targets: ['redis'], commit: 'aaaa', startedAt: 'then', loadBefore: [0], loadAfter: [0] }]),
      runs: [
        run('redis', 1, { commit: 'aaaa', users: 1000, concurrency: 32, unattributed: [] }),
        run('mongo', 2, {
          commit: 'cccc',
          users: 250,
          concurrency: 8,
          loadWhy: 'the server saturates',
          lost: { missing: 0, stale: 1, withoutFault: 1 },
          unattributed: [{ kind: 'stale', ackAtS: 61.5, atS: 70.25, nearestFault: 'kill 60–65 s' }],
        }),
      ],
    };
    const markdown = soakMarkdown(report);
    expect(markdown).toContain('Kept from an earlier run (`--merge`): redis at commit aaaa');
    expect(markdown).toContain('| redis, 1 app | aaaa | 1000 users, 32 in flight |');
    expect(markdown).toContain('| mongo, 2 apps | cccc | 250 users, 8 in flight |');
    expect(markdown).toContain('- mongo runs at its own load: the server saturates.');
    expect(markdown).toContain('| mongo, 2 apps | stale | 61.5 s | 70.25 s | kill 60–65 s |');
  });
});
