import type { BackendServer } from '@session-stores/test-servers';
import type { BackendName, RunningServer } from './subject';

/**
 * Starts a backend with the same harness the tests use (a URL from the environment, a
 * container, or local binaries, in that order), and describes it for the report.
 */
export async function startHarnessServer(
  backend: Exclude<BackendName, 'sqlite'>,
  start: () => Promise<BackendServer>,
  version: (server: BackendServer) => Promise<string>,
): Promise<RunningServer> {
  const server = await start();
  let description = `${backend} (${server.provider})`;
  try {
    description = `${await version(server)} (${server.provider})`;
  } catch {
    // The version is for the report only.
  }
  return {
    info: { backend, url: server.url },
    description,
    dispose: () => server.dispose(),
  };
}
