import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultInjector } from '@session-stores/conformance';
import type { GradeBackend, GradeServer } from './types';

/** A backend started for one child: what the factories see, the fault hooks, and its disposal. */
export interface StartedBackend {
  server: GradeServer;
  /** Where it came from, for the card: `postgres (local)`, `directory`. */
  description: string;
  /** Absent when there is no server to stop (files, memory) or the harness cannot restart it. */
  faults?: FaultInjector;
  dispose(): Promise<void>;
}

/** Starts the backend with the harness the repository's tests use (URL, container or local binaries). */
export async function startGradeBackend(backend: GradeBackend): Promise<StartedBackend> {
  if (backend === 'memory') {
    return {
      server: { backend, url: '', provider: backend, dataSurvivesRestart: false },
      description: 'in-process memory',
      dispose: async () => {},
    };
  }
  if (backend === 'directory') {
    const dir = await mkdtemp(join(tmpdir(), 'session-grade-'));
    return {
      server: { backend, url: dir, provider: backend, dataSurvivesRestart: true },
      description: 'files in a fresh temporary directory',
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const { startBackend } = await import('@session-stores/test-servers');
  const harness = await startBackend(backend);
  return {
    server: {
      backend,
      url: harness.url,
      provider: harness.provider,
      dataSurvivesRestart: harness.dataSurvivesRestart,
    },
    description: `${backend} (${harness.provider})`,
    faults: harness.canRestart ? { stopBackend: () => harness.stop(), startBackend: () => harness.start() } : undefined,
    dispose: () => harness.dispose(),
  };
}
