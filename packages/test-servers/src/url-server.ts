import { formatHostPort } from './endpoints';
import { canConnect } from './tcp';
import type { BackendName, HarnessServer, HostPort } from './types';

const URL_CHECK_TIMEOUT_MS = 3000;

/** Fails clearly when nothing listens at an address taken from the environment. */
export async function assertListening(source: string, nodes: readonly HostPort[]): Promise<void> {
  for (const node of nodes) {
    if (!(await canConnect(node, URL_CHECK_TIMEOUT_MS))) {
      throw new Error(`${source}: nothing accepts connections at ${formatHostPort(node)}`);
    }
  }
}

/**
 * A server named by the environment. The harness did not start it, so it never stops it:
 * stop() and start() reject, dispose() does nothing.
 */
export function urlServer(backend: BackendName, url: string, nodes: readonly HostPort[]): HarnessServer {
  const refuse = (operation: string) =>
    Promise.reject(
      new Error(`${backend}: cannot ${operation} a server the harness did not start (provider url, ${url})`),
    );
  return {
    backend,
    provider: 'url',
    url,
    nodes,
    canRestart: false,
    dataSurvivesRestart: false,
    stop: () => refuse('stop'),
    start: () => refuse('start'),
    dispose: () => Promise.resolve(),
  };
}
