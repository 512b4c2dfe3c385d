import { startBackend, type ServerFor } from './backends';
import { isStrictMode } from './env';
import { BackendUnavailableError } from './errors';
import type { StartOptions } from './providers';
import type { BackendName } from './types';

const skipReasons = new Map<BackendName, string>();

/** Why `backendForTests(name)` returned null in this process, if it did. */
export function skipReason(name: BackendName): string | undefined {
  return skipReasons.get(name);
}

/**
 * A title for a test group that shows in the report where the server came from, or why the
 * group is skipped: `redis (local)`, `redis (skipped: ...)`.
 */
export function backendTitle(name: BackendName, server: { provider: string } | null): string {
  return server ? `${name} (${server.provider})` : `${name} (skipped: ${skipReason(name) ?? 'not started'})`;
}

/** Disposes the server after the calling test file, when called while vitest collects a file. */
async function disposeAfterFile(dispose: () => Promise<void>): Promise<void> {
  if (!process.env.VITEST) return;
  try {
    const { afterAll } = await import('vitest');
    afterAll(dispose);
  } catch {
    // Not collecting a file (called inside a test, or from a script): the caller disposes, and
    // the exit hook kills whatever is left.
  }
}

/**
 * For test files, with top-level await:
 *
 *   const server = await backendForTests('redis');
 *   describe.skipIf(!server)(backendTitle('redis', server), () => { ... });
 *
 * Returns the started server, disposed after the file. When no provider can give the backend
 * (no URL, no container runtime, no binary), returns null and prints the reason once
 * (`[harness] redis skipped: ...`). In strict mode (CI set, or SESSION_STORES_STRICT=1) it
 * throws instead: no backend is silently skipped in CI. A server that is available but fails
 * to start, or a refused URL, always throws.
 */
export async function backendForTests<Name extends BackendName>(
  name: Name,
  options: StartOptions = {},
): Promise<ServerFor[Name] | null> {
  let server: ServerFor[Name];
  try {
    server = await startBackend(name, options);
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    if (isStrictMode()) {
      throw new Error(
        `[harness] ${name} is required in strict mode (CI or SESSION_STORES_STRICT=1): ${error.message}`,
        { cause: error },
      );
    }
    if (!skipReasons.has(name)) console.warn(`[harness] ${name} skipped: ${error.message}`);
    skipReasons.set(name, error.message);
    return null;
  }
  await disposeAfterFile(() => server.dispose());
  return server;
}
