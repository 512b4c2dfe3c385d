import { parseCommand, USAGE } from './args';
import { copySessions } from './copy';
import { openStore, type CopyableStore } from './open-store';
import { progressReporter, type Output } from './progress';
import { UsageError } from './usage-error';
import { verifyTarget } from './verify';

export interface RunIo {
  stdout: Output;
  stderr: Output;
}

/**
 * Runs `session-stores <argv>` and resolves with the exit status (0 done and checked, 1 the copy
 * or its check failed, 2 bad arguments). Never throws: every failure is a message on stderr.
 */
export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    return fail(io, error, true);
  }
  if (command.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opened: CopyableStore[] = [];
  try {
    const source = await openStore(command.from, 'from');
    opened.push(source);
    const target = await openStore(command.to, 'to');
    opened.push(target);
    if (typeof source.ids !== 'function' || typeof source.iterate !== 'function')
      throw new UsageError(`the from side ${command.from.label} cannot list its sessions, so it cannot be copied from`);
    const total = (await source.ids()).length;
    io.stdout.write(`copying ${total} sessions from ${command.from.label} to ${command.to.label}\n`);
    const progress = progressReporter(io.stdout, total);
    const result = await copySessions(source, target, { pageSize: command.pageSize, onPage: progress.update });
    progress.done();
    const check = await verifyTarget(target, result.expected);
    io.stdout.write(
      `read ${result.read} live sessions from the source: ${result.copied} copied, ${result.skippedNewer} already as new or newer in the target, ${result.expired} expired before their turn\n` +
        `target now holds ${check.targetCount} sessions; ${result.expected.size - check.missing.length - check.expiredSince} of the ${result.expected.size} copied sids checked there` +
        (check.expiredSince > 0 ? ` (${check.expiredSince} expired since)` : '') +
        '\n',
    );
    if (check.missing.length > 0) {
      io.stderr.write(
        `error: ${check.missing.length} copied sessions are not in the target (first: ${check.missing.slice(0, 5).join(', ')}); rerun the copy\n`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    return fail(io, error, error instanceof UsageError);
  } finally {
    await Promise.all(opened.map((store) => Promise.resolve(store.close()).catch(() => {})));
  }
}

function fail(io: RunIo, error: unknown, usage: boolean): number {
  io.stderr.write(`session-stores: ${error instanceof Error ? error.message : String(error)}\n`);
  if (usage) io.stderr.write('Run "session-stores --help" for usage.\n');
  return usage ? 2 : 1;
}
