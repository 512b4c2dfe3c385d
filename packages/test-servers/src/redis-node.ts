import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTimeoutMs } from './env';
import { LocalProcess } from './local-process';
import { logFileIn } from './local-server';
import { parseInfo, redisCommand } from './resp';
import type { HostPort } from './types';

export interface RedisNodeOptions {
  /** The server's temporary directory; the node gets its own subdirectory `name`. */
  dir: string;
  name: string;
  port: number;
  /** Extra redis.conf lines (cluster, replication, sentinel settings). */
  config?: readonly string[];
  sentinel?: boolean;
}

/**
 * Configuration shared by every local Redis node. Each node gets a config file (not only
 * command-line options) because Sentinel and Cluster rewrite it (CONFIG REWRITE, nodes.conf) to
 * remember roles across a restart.
 *
 * Persistence: a save point (`save 3600 1`) never fires during a test run, but it makes Redis
 * write a snapshot when it shuts down on SIGTERM, and read it back at start. So stop()/start()
 * keeps every key written before stop(); a SIGKILL (stop deadline passed) loses them.
 */
function baseConfig(port: number, dir: string): string[] {
  return [
    'bind 127.0.0.1',
    `port ${port}`,
    'protected-mode yes',
    'daemonize no',
    'logfile ""',
    `dir ${dir}`,
    'dbfilename dump.rdb',
    'save 3600 1',
    'appendonly no',
    'stop-writes-on-bgsave-error no',
    // A master otherwise waits 5 s for more replicas before it sends one a snapshot.
    'repl-diskless-sync-delay 0',
  ];
}

/** Writes the node's config file and returns its (not yet started) process. */
export async function createRedisNode(redisServer: string, options: RedisNodeOptions): Promise<LocalProcess> {
  const nodeDir = join(options.dir, options.name);
  await mkdir(nodeDir, { recursive: true });
  const configFile = join(nodeDir, options.sentinel ? 'sentinel.conf' : 'redis.conf');
  const config = options.sentinel
    ? [
        'bind 127.0.0.1',
        `port ${options.port}`,
        'daemonize no',
        'logfile ""',
        `dir ${nodeDir}`,
        ...(options.config ?? []),
      ]
    : [...baseConfig(options.port, nodeDir), ...(options.config ?? [])];
  await writeFile(configFile, `${config.join('\n')}\n`);
  const address: HostPort = { host: '127.0.0.1', port: options.port };
  return new LocalProcess({
    label: `${options.sentinel ? 'redis-sentinel' : 'redis-server'} ${options.name} on 127.0.0.1:${options.port}`,
    command: redisServer,
    // The same binary runs Sentinel with --sentinel, whatever name it was installed under.
    args: options.sentinel ? [configFile, '--sentinel'] : [configFile],
    cwd: nodeDir,
    logFile: logFileIn(options.dir, options.name),
    startTimeoutMs: startTimeoutMs(),
    isReady: (pid) => redisNodeAnswers(address, pid),
  });
}

/** PING answers, from the process with this pid (INFO server's process_id). */
export async function redisNodeAnswers(address: HostPort, pid: number): Promise<boolean> {
  if ((await redisCommand(address, ['PING'], 1000)) !== 'PONG') return false;
  return parseInfo(await redisCommand(address, ['INFO', 'server'], 1000)).get('process_id') === String(pid);
}
