import { readdirSync, readFileSync } from 'node:fs';

/**
 * `pid` and every process below it. PostgreSQL serves each connection from a child of the
 * postmaster: freezing or killing the postmaster alone would leave the connections answering.
 */
export function processTree(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Ended while we looked.
    }
    // The command name is in parentheses and may hold spaces; the parent pid follows the state.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(childrenOf.get(next) ?? []));
  }
  return tree;
}

/** Sends `signal` to each process of the trees, ignoring those that already ended. */
export function signalTrees(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids.flatMap(processTree)) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}
