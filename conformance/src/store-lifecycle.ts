import type { ConformanceOptions, StoreUnderTest } from './types';
import { withDeadline } from './timing';

const CLOSE_TIMEOUT_MS = 15_000;

/** Closes a store the suite made, with `options.closeStore` or the store's own `close()`, bounded in time. */
export async function closeStore(
  options: Pick<ConformanceOptions, 'closeStore' | 'name'>,
  store: StoreUnderTest,
): Promise<void> {
  const closing = options.closeStore ? options.closeStore(store) : store.close?.();
  if (closing && typeof (closing as PromiseLike<unknown>).then === 'function') {
    await withDeadline(
      closing as PromiseLike<unknown>,
      CLOSE_TIMEOUT_MS,
      () => `closing a ${options.name} store did not finish within ${CLOSE_TIMEOUT_MS} ms`,
    );
  }
}
