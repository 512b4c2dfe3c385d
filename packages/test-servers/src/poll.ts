import { setTimeout as delay } from 'node:timers/promises';
import { DriverMissingError } from './errors';

export interface PollOptions {
  /** What is awaited, for the timeout message: "redis-server on 127.0.0.1:6379 to answer PING". */
  what: string;
  timeoutMs: number;
  /** Called before each attempt; an Error it returns ends the wait at once (e.g. the process exited). */
  abort?: () => Error | undefined;
  /** Adds detail to the timeout message (e.g. a log tail). */
  detail?: () => string;
}

/**
 * Checks a condition until it holds or the deadline passes; a check that throws counts as "not
 * yet", except for a missing driver. The pause between attempts grows
 * from 20 ms to 250 ms: fast when the condition comes quickly, light on the CPU when it does not.
 */
export async function pollUntil(check: () => Promise<boolean>, options: PollOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let pauseMs = 20;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      if (error instanceof DriverMissingError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}${detail}`);
    }
    await delay(Math.min(pauseMs, Math.max(1, deadline - Date.now())));
    pauseMs = Math.min(pauseMs * 2, 250);
  }
}
