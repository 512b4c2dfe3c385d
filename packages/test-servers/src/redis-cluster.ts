import { redisCliBinary, redisServerBinary } from './binaries';
import { assertLoopback, firstNode, formatHostPort, parseHostPortList } from './endpoints';
import { envValue, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePorts } from './free-port';
import type { LocalProcess } from './local-process';
import { LocalServer, logFileIn, startLocalServer } from './local-server';
import { pollUntil } from './poll';
import { startWithProviders, type StartOptions } from './providers';
import { createRedisNode } from './redis-node';
import { parseInfo, redisCommand } from './resp';
import { runCommand } from './run-command';
import { makeTempDir } from './temp-dir';
import type { HostPort, RedisClusterServer } from './types';
import { assertListening } from './url-server';

const MASTERS = 3;

/** Every node reports cluster_state:ok, knows every other node, and all 16384 slots are served. */
export async function clusterIsOk(nodes: readonly HostPort[]): Promise<boolean> {
  for (const node of nodes) {
    const info = parseInfo(await redisCommand(node, ['CLUSTER', 'INFO'], 1000));
    const healthy =
      info.get('cluster_state') === 'ok' &&
      info.get('cluster_slots_ok') === '16384' &&
      info.get('cluster_known_nodes') === String(nodes.length);
    if (!healthy) return false;
  }
  return true;
}

function waitForCluster(nodes: readonly HostPort[], what: string): Promise<void> {
  return pollUntil(() => clusterIsOk(nodes), { what, timeoutMs: startTimeoutMs() });
}

function clusterServer(
  url: string,
  nodes: readonly HostPort[],
  server: Omit<RedisClusterServer, 'backend' | 'url' | 'nodes'>,
): RedisClusterServer {
  return Object.assign(server, { backend: 'redis-cluster' as const, url, nodes });
}

async function clusterFromEnv(): Promise<RedisClusterServer> {
  const list = envValue('REDIS_CLUSTER_NODES');
  if (list === undefined) throw new ProviderUnavailableError('REDIS_CLUSTER_NODES is not set');
  const nodes = parseHostPortList(list, 6379, 'REDIS_CLUSTER_NODES');
  assertLoopback(
    'REDIS_CLUSTER_NODES',
    nodes.map((node) => node.host),
  );
  await assertListening(`REDIS_CLUSTER_NODES=${list}`, nodes);
  const refuse = (operation: string) =>
    Promise.reject(new Error(`redis-cluster: cannot ${operation} a cluster the harness did not start (provider url)`));
  return clusterServer(`redis://${formatHostPort(firstNode(nodes))}`, nodes, {
    provider: 'url',
    canRestart: false,
    dataSurvivesRestart: false,
    stop: () => refuse('stop'),
    start: () => refuse('start'),
    dispose: () => Promise.resolve(),
  });
}

function clusterContainer(): Promise<RedisClusterServer> {
  // With host networking the nodes could announce reachable 127.0.0.1 ports, but the harness
  // builds a cluster with the local redis-cli and waits on files and processes it owns
  // (nodes.conf, pids): a container version of that is not written. Clusters come from
  // REDIS_CLUSTER_NODES or local servers, also in CI.
  return Promise.reject(
    new ProviderUnavailableError(
      'Redis Cluster in containers is not supported by the harness (it builds clusters from local redis-server processes)',
    ),
  );
}

class LocalRedisCluster extends LocalServer implements RedisClusterServer {
  declare readonly backend: 'redis-cluster';
}

async function localCluster(): Promise<RedisClusterServer> {
  const redisServer = redisServerBinary();
  const redisCli = redisCliBinary(redisServer);
  return startLocalServer(async () => {
    const dir = await makeTempDir('redis-cluster');
    // A client port and a cluster bus port per node: the bus port is set explicitly
    // (cluster-port) rather than left at client port + 10000, which may be taken or out of range.
    const ports = await freePorts(MASTERS * 2);
    const nodes: HostPort[] = [];
    const processes: LocalProcess[] = [];
    for (let i = 0; i < MASTERS; i += 1) {
      const port = ports[i * 2] as number;
      const busPort = ports[i * 2 + 1] as number;
      nodes.push({ host: '127.0.0.1', port });
      processes.push(
        await createRedisNode(redisServer, {
          dir,
          name: `node-${i + 1}`,
          port,
          config: [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            `cluster-port ${busPort}`,
            'cluster-node-timeout 5000',
          ],
        }),
      );
    }
    let created = false;
    const bringUp = async () => {
      await Promise.all(processes.map((process) => process.start()));
      if (!created) {
        await runCommand(
          redisCli,
          ['--cluster', 'create', ...nodes.map(formatHostPort), '--cluster-replicas', '0', '--cluster-yes'],
          { cwd: dir, logFile: logFileIn(dir, 'cluster-create'), timeoutMs: startTimeoutMs() },
        );
        created = true;
      }
      // After a restart the nodes find each other again from their nodes.conf.
      await waitForCluster(
        nodes,
        `the Redis Cluster on ${nodes.map(formatHostPort).join(', ')} to report cluster_state:ok on every node`,
      );
    };
    return new LocalRedisCluster({
      backend: 'redis-cluster',
      dir,
      url: `redis://${formatHostPort(firstNode(nodes))}`,
      nodes,
      processes,
      dataSurvivesRestart: true,
      bringUp,
    });
  });
}

/**
 * A Redis Cluster of three masters and no replicas: REDIS_CLUSTER_NODES, else local
 * redis-servers joined with `redis-cli --cluster create` (no container provider, see above).
 * Resolves once every node reports cluster_state:ok. `url` names the first node; cluster
 * clients take `nodes`.
 */
export function startRedisCluster(options: StartOptions = {}): Promise<RedisClusterServer> {
  return startWithProviders(
    'redis-cluster',
    { url: clusterFromEnv, container: clusterContainer, local: localCluster },
    options,
  );
}
