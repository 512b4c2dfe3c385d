import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import type { HarnessServer, HostPort } from '@session-stores/test-servers';

/** Writes a value into a server and reads it back, with a real client. */
export interface DataProbe {
  write(server: HarnessServer, key: string, value: string): Promise<void>;
  /** The stored value, or null when the key is absent. */
  read(server: HarnessServer, key: string): Promise<string | null>;
}

/** Resolves with the error code of a TCP connection attempt, or 'connected'. */
export function connectOutcome({ host, port }: HostPort): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * Whether a process runs. A zombie (ended, not yet reaped) counts as ended: an orphan is reaped
 * by pid 1, which some containers and VMs never do.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; the command name may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
let counter = 0;
const uniqueKey = (label: string) => `harness-${label}-${process.pid}-${Date.now()}-${(counter += 1)}`;

/**
 * The checks every backend's harness server must pass. `server()` is the file's shared server;
 * `startAnother()` starts a fresh one for the dispose check.
 */
export function lifecycleTests(
  server: () => HarnessServer,
  startAnother: () => Promise<HarnessServer>,
  probe: DataProbe,
): void {
  it('answers on loopback addresses only, and stores data', async () => {
    const current = server();
    expect(current.nodes.length).toBeGreaterThan(0);
    for (const node of current.nodes) expect(LOOPBACK).toContain(node.host);
    const key = uniqueKey('answer');
    await probe.write(current, key, 'stored');
    expect(await probe.read(current, key)).toBe('stored');
  });

  it('stop() refuses connections; start() answers again on the same ports', async (context) => {
    const current = server();
    if (!current.canRestart) context.skip(`${current.provider} servers cannot restart`);
    const key = uniqueKey('restart');
    await probe.write(current, key, 'before stop');
    const nodes = current.nodes.map((node) => ({ ...node }));

    await current.stop();
    for (const node of nodes) expect(await connectOutcome(node)).toBe('ECONNREFUSED');
    if (current.local) expect(current.local.pids()).toEqual([]);

    await current.start();
    expect(current.nodes).toEqual(nodes);
    for (const node of nodes) expect(await connectOutcome(node)).toBe('connected');
    expect(await probe.read(current, key)).toBe(current.dataSurvivesRestart ? 'before stop' : null);
    await probe.write(current, key, 'after start');
    expect(await probe.read(current, key)).toBe('after start');
  });

  it('dispose() ends the server and removes its files; a second dispose() is harmless', async () => {
    const another = await startAnother();
    const pids = another.local?.pids() ?? [];
    const dir = another.local?.dir;
    if (another.local) {
      expect(pids.length).toBeGreaterThan(0);
      expect(existsSync(another.local.dir)).toBe(true);
    }
    await another.dispose();
    await another.dispose();
    if (another.canRestart) {
      for (const node of another.nodes) expect(await connectOutcome(node)).toBe('ECONNREFUSED');
    }
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    if (dir !== undefined) expect(existsSync(dir)).toBe(false);
    await expect(another.start()).rejects.toThrow();
  });
}
