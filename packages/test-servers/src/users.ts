import { execFileSync } from 'node:child_process';

/** The uid and gid of a local user, or undefined when there is no such user. */
export function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const read = (flag: string) =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const ids = { uid: read('-u'), gid: read('-g') };
    return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
  } catch {
    return undefined;
  }
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
