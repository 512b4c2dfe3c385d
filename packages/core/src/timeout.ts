/**
 * Races an operation against a deadline. The timer is unref'd so a pending deadline never keeps
 * a process alive on its own; the operation itself may still finish later, harmlessly.
 */
export function withDeadline<T>(operation: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([operation, deadline]).finally(() => clearTimeout(timer));
}
