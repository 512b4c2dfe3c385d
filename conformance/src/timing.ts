/** Waits `ms` of wall time. Used where time itself must pass (expiry), never to wait for readiness. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Waits until the wall clock is strictly past `epochMs`. */
export async function waitUntilPast(epochMs: number): Promise<void> {
  while (Date.now() <= epochMs) await delay(Math.min(epochMs - Date.now() + 1, 1000));
}

/** Lets pending callbacks, ticks and rejection tracking run: a short pause, then two event-loop turns. */
export async function settle(ms = 25): Promise<void> {
  await delay(ms);
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: PromiseLike<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([Promise.resolve(promise), deadline]).finally(() => clearTimeout(timer));
}

/**
 * Polls `check` until it returns true, failing with `message` after `timeoutMs`. The condition
 * is what is waited for; the interval only spaces the attempts.
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; message: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${options.message()} (gave up after ${options.timeoutMs} ms)`,
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    await delay(options.intervalMs ?? 50);
  }
}
