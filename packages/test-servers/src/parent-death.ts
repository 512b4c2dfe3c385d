import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

let setpriv: string | null | undefined;

function findSetpriv(): string | null {
  if (process.platform !== 'linux') return null;
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      accessSync(candidate, constants.X_OK);
      const help = execFileSync(candidate, ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      if (help.includes('--pdeathsig')) return candidate;
    } catch {
      // Not there, or too old to know --pdeathsig.
    }
  }
  return null;
}

/**
 * The exit hook cannot run when the test process is killed with SIGKILL (a hung worker killed
 * by its runner, the OOM killer). On Linux, util-linux's `setpriv --pdeathsig KILL` asks the
 * kernel to kill the server when the thread that started it dies, however it dies; setpriv
 * then execs the server, so the pid stays the server's own. Elsewhere the command is unchanged.
 */
export function killedWithParent(
  command: string,
  args: readonly string[],
): { command: string; args: readonly string[] } {
  if (setpriv === undefined) setpriv = findSetpriv();
  return setpriv ? { command: setpriv, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args };
}
