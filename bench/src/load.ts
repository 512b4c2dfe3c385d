import { performance } from 'node:perf_hooks';

export interface LoadLimits {
  /** Stop after this many operations... */
  ops: number;
  /** ...or after this many ms, whichever comes first. */
  maxMs: number;
  /** Operations in flight at once. */
  concurrency: number;
}

export interface LoadResult {
  /** Operations completed. */
  ops: number;
  ms: number;
  opsPerSec: number;
  /** The first error, when an operation failed (the run stops there). */
  error?: string;
}

/**
 * Runs `op(0..)` with `concurrency` operations in flight until `ops` are done or `maxMs` has
 * passed. Bounded both ways, so a slow backend costs time, never a hang. The first failure
 * stops the run: a figure measured over failing calls would flatter the store.
 */
export async function runLoad(op: (index: number) => Promise<unknown>, limits: LoadLimits): Promise<LoadResult> {
  let next = 0;
  let done = 0;
  let failure: unknown;
  const start = performance.now();
  const deadline = start + limits.maxMs;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < limits.ops) {
      if (performance.now() >= deadline) return;
      const index = next++;
      try {
        await op(index);
        done++;
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limits.concurrency, limits.ops)) }, worker);
  await Promise.all(workers);
  const ms = performance.now() - start;
  const result: LoadResult = { ops: done, ms, opsPerSec: ms > 0 ? (done * 1000) / ms : 0 };
  if (failure !== undefined) result.error = describeError(failure);
  return result;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const text =
      cause instanceof Error && !error.message.includes(cause.message)
        ? `${error.message} (${cause.message})`
        : error.message;
    return text.split('\n')[0] ?? text;
  }
  return String(error);
}
