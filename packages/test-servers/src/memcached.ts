import { memcachedBinary } from './binaries';
import { startContainerServer } from './containers';
import { assertLoopback, formatHostPort, parseHostPortList } from './endpoints';
import { envValue, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePorts } from './free-port';
import { imageFor } from './images';
import { LocalProcess } from './local-process';
import { LocalServer, logFileIn, startLocalServer } from './local-server';
import { startWithProviders, type StartOptions } from './providers';
import { makeTempDir } from './temp-dir';
import { memcachedAnswers, memcachedPid } from './tcp';
import type { HarnessServer, HostPort } from './types';
import { assertListening, urlServer } from './url-server';
import { runningAsRoot, userIds } from './users';

export interface MemcachedOptions extends StartOptions {
  /** How many independent memcached servers (a client-side pool). Default 1. */
  servers?: number;
  /** Memory of each server started here (`-m`), in MB. Default 64. Ignored for MEMCACHED_SERVERS. */
  memoryMb?: number;
}

const serverList = (nodes: readonly HostPort[]) => nodes.map(formatHostPort).join(',');

async function memcachedFromEnv(count: number): Promise<HarnessServer> {
  const list = envValue('MEMCACHED_SERVERS');
  if (list === undefined) throw new ProviderUnavailableError('MEMCACHED_SERVERS is not set');
  const nodes = parseHostPortList(list, 11211, 'MEMCACHED_SERVERS');
  assertLoopback(
    'MEMCACHED_SERVERS',
    nodes.map((node) => node.host),
  );
  if (nodes.length < count) {
    throw new ProviderUnavailableError(`MEMCACHED_SERVERS lists ${nodes.length} server(s), ${count} are needed`);
  }
  const used = nodes.slice(0, count);
  await assertListening(`MEMCACHED_SERVERS=${list}`, used);
  return urlServer('memcached', serverList(used), used);
}

function memcachedContainers(count: number, memoryMb: number, image?: string): Promise<HarnessServer> {
  return startContainerServer({
    backend: 'memcached',
    nodes: Array.from({ length: count }, () => ({
      image: imageFor('memcached', image),
      // The same flags as local servers: loopback only, no UDP.
      command: (port: number) => [
        'memcached',
        '-l',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        '0',
        '-m',
        String(memoryMb),
        '-c',
        '1024',
      ],
      isReady: (address: HostPort) => memcachedAnswers(address),
    })),
    url: serverList,
    dataSurvivesRestart: false,
  });
}

async function localMemcached(count: number, memoryMb: number): Promise<HarnessServer> {
  const memcached = memcachedBinary();
  // memcached refuses to run as root. It is started as "nobody" rather than told to switch
  // (-u): switching user would drop the kill-with-parent setting (parent-death.ts).
  const user = runningAsRoot() ? userIds('nobody') : undefined;
  if (runningAsRoot() && !user)
    throw new ProviderUnavailableError('running as root, and there is no "nobody" user to run memcached as');
  return startLocalServer(async () => {
    const dir = await makeTempDir(count === 1 ? 'memcached' : `memcached-${count}`);
    const ports = await freePorts(count);
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    const processes = nodes.map(
      (address, index) =>
        new LocalProcess({
          label: `memcached ${index + 1} on 127.0.0.1:${address.port}`,
          command: memcached,
          args: ['-l', '127.0.0.1', '-p', String(address.port), '-U', '0', '-m', String(memoryMb), '-c', '1024'],
          cwd: dir,
          user,
          logFile: logFileIn(dir, `memcached-${index + 1}`),
          // Memcached keeps nothing to save, and its clean shutdown waits about a second for
          // its threads: a kill is the same outage, sooner.
          stopSignal: 'SIGKILL',
          startTimeoutMs: startTimeoutMs(),
          isReady: async (pid) => (await memcachedPid(address)) === pid,
        }),
    );
    return new LocalServer({
      backend: 'memcached',
      dir,
      url: serverList(nodes),
      nodes,
      processes,
      dataSurvivesRestart: false,
    });
  });
}

/**
 * One memcached, or `servers` of them: MEMCACHED_SERVERS (its first `servers` entries), else
 * containers, else local memcached processes. `url` is `host:port[,host:port]`. Memcached keeps
 * nothing on disk: after stop()/start() it is empty.
 */
export function startMemcached(options: MemcachedOptions = {}): Promise<HarnessServer> {
  const count = options.servers ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    return Promise.reject(
      new TypeError(`startMemcached: "servers" must be a positive integer; got ${String(options.servers)}`),
    );
  }
  const memoryMb = options.memoryMb ?? 64;
  if (!Number.isInteger(memoryMb) || memoryMb < 1) {
    return Promise.reject(
      new TypeError(`startMemcached: "memoryMb" must be a positive integer; got ${String(options.memoryMb)}`),
    );
  }
  return startWithProviders(
    count === 1 ? 'memcached' : 'memcached-pair',
    {
      url: () => memcachedFromEnv(count),
      container: () => memcachedContainers(count, memoryMb, options.image),
      local: () => localMemcached(count, memoryMb),
    },
    options,
  );
}
