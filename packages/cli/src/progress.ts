import type { CopyCounts } from './copy';

/** Where the command writes: a stream, and whether it is a terminal (a bar) or not (lines). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 30;

/**
 * Progress of a copy of `total` sessions (the source's count before the copy; the app may add
 * some meanwhile, so the bar stops at 100%). On a terminal, one bar redrawn in place; otherwise
 * (a log, a pipe) a plain line about every tenth of the way, so logs stay short.
 */
export function progressReporter(out: Output, total: number): { update(counts: CopyCounts): void; done(): void } {
  let nextLine = 0;
  const step = Math.max(1, Math.ceil(total / 10));
  let drawn = false;
  return {
    update(counts) {
      const summary = `${counts.read}/${total} read, ${counts.copied} copied, ${counts.skippedNewer} newer in target, ${counts.expired} expired`;
      if (out.isTTY) {
        const ratio = total === 0 ? 1 : Math.min(1, counts.read / total);
        const filled = Math.round(ratio * BAR_WIDTH);
        const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}%`;
        out.write(`\r${bar} ${summary}\u001b[K`);
        drawn = true;
      } else if (counts.read >= nextLine) {
        out.write(`${summary}\n`);
        nextLine = counts.read + step;
      }
    },
    done() {
      if (drawn) out.write('\n');
    },
  };
}
