/**
 * What would have ended the process while a test ran: an unhandled rejection or an uncaught
 * exception (Node exits on either when nothing listens, as in an app), and the warnings emitted
 * with `process.emitWarning`, where the stores report what a user's listener or hook threw.
 * While watching, these listeners keep the test process alive, so the test can go on to check
 * that the store still works and assert that `fatal` stayed empty.
 */
export interface ProcessFaults {
  readonly fatal: unknown[];
  readonly warnings: Array<Error & { code?: string }>;
  stop(): void;
}

export function watchProcessFaults(): ProcessFaults {
  const fatal: unknown[] = [];
  const warnings: Array<Error & { code?: string }> = [];
  const onFatal = (error: unknown) => fatal.push(error);
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('unhandledRejection', onFatal);
  process.on('uncaughtException', onFatal);
  process.on('warning', onWarning);
  return {
    fatal,
    warnings,
    stop() {
      process.off('unhandledRejection', onFatal);
      process.off('uncaughtException', onFatal);
      process.off('warning', onWarning);
    },
  };
}

/** A logger method used unbound, as `errorLog: logger.error`: it throws a TypeError on `this`. */
export function unboundLoggerMethod(): (...args: unknown[]) => void {
  const logger = {
    lines: [] as unknown[][],
    error(...args: unknown[]) {
      this.lines.push(args);
    },
  };
  return logger.error as (...args: unknown[]) => void;
}
