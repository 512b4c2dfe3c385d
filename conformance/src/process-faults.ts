import { describeError } from './calls';
import { settle } from './timing';

/** An error that escaped to the process: an uncaught exception or an unhandled rejection. */
export interface ProcessFault {
  kind: 'uncaughtException' | 'unhandledRejection';
  error: unknown;
}

/**
 * Runs `body` with listeners for `uncaughtException` and `unhandledRejection`, and returns what
 * they caught, after letting pending ticks and rejection tracking run. While our listener is
 * installed, the process does not crash on those errors, and vitest's own listener ignores them
 * (vitest treats an error as handled when another listener exists), so a test can assert on
 * them instead of the run failing as a whole. Tests using this must not run concurrently.
 */
export async function captureProcessFaults<T>(
  body: () => Promise<T>,
  settleMs = 50,
): Promise<{ value: T; faults: ProcessFault[] }> {
  const faults: ProcessFault[] = [];
  const onException = (error: unknown) => faults.push({ kind: 'uncaughtException', error });
  const onRejection = (error: unknown) => faults.push({ kind: 'unhandledRejection', error });
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  try {
    const value = await body();
    await settle(settleMs);
    return { value, faults };
  } catch (error) {
    await settle(settleMs);
    throw error;
  } finally {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  }
}

export function describeFaults(faults: readonly ProcessFault[]): string {
  return faults.map((fault) => `${fault.kind}: ${describeError(fault.error)}`).join('; ');
}
