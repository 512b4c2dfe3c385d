import { redisServerBinary } from './binaries';
import { assertLoopback, formatHostPort, parseHostPortList } from './endpoints';
import { envValue, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePorts } from './free-port';
import type { LocalProcess } from './local-process';
import { LocalServer, startLocalServer } from './local-server';
import { pollUntil } from './poll';
import { startWithProviders, type StartOptions } from './providers';
import { createRedisNode } from './redis-node';
import { RespError, redisCommand, type RespValue } from './resp';
import { makeTempDir } from './temp-dir';
import type { HostPort, RedisSentinelServer } from './types';
import { assertListening } from './url-server';

const DEFAULT_MASTER_NAME = 'mymaster';
const SENTINELS = 3;

const sameAddress = (a: HostPort, b: HostPort) => a.host === b.host && a.port === b.port;

function sentinelUrl(sentinels: readonly HostPort[], masterName: string): string {
  return `redis+sentinel://${sentinels.map(formatHostPort).join(',')}/${masterName}`;
}

/** The master address one Sentinel reports (SENTINEL GET-MASTER-ADDR-BY-NAME). */
async function masterSeenBy(sentinel: HostPort, masterName: string): Promise<HostPort | undefined> {
  const reply = await redisCommand(sentinel, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName], 1000);
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return undefined;
  return { host: reply[0], port: Number(reply[1]) };
}

/** The master as the first Sentinel that answers reports it. */
async function currentMaster(sentinels: readonly HostPort[], masterName: string): Promise<HostPort> {
  const errors: string[] = [];
  for (const sentinel of sentinels) {
    try {
      const master = await masterSeenBy(sentinel, masterName);
      if (master) return master;
      errors.push(`${formatHostPort(sentinel)} does not know "${masterName}"`);
    } catch (error) {
      errors.push(`${formatHostPort(sentinel)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no Sentinel reports the master "${masterName}" (${errors.join('; ')})`);
}

/** `SENTINEL REPLICAS` and `SENTINEL SENTINELS` reply with flat key/value arrays. */
function records(reply: RespValue): Map<string, string>[] {
  if (!Array.isArray(reply)) return [];
  return reply.filter(Array.isArray).map((flat) => {
    const record = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) record.set(String(flat[i]), String(flat[i + 1]));
    return record;
  });
}

interface Roles {
  master: HostPort;
  replica: HostPort;
}

/** One data node is a master and the other replicates from it with its link up. */
async function replicationRoles(dataNodes: readonly HostPort[]): Promise<Roles | undefined> {
  const roles = await Promise.all(dataNodes.map((node) => redisCommand(node, ['ROLE'], 1000)));
  const masterIndex = roles.findIndex((role) => Array.isArray(role) && role[0] === 'master');
  const replicaIndex = roles.findIndex((role) => Array.isArray(role) && role[0] === 'slave');
  const master = dataNodes[masterIndex];
  const replica = dataNodes[replicaIndex];
  const replicaRole = roles[replicaIndex];
  if (!master || !replica || !Array.isArray(replicaRole)) return undefined;
  const linkedToMaster = Number(replicaRole[2]) === master.port && replicaRole[3] === 'connected';
  return linkedToMaster ? { master, replica } : undefined;
}

/**
 * Every Sentinel reports `roles.master`, sees the replica as healthy, and knows the other
 * Sentinels: from then on a failover can be forced and every Sentinel follows it.
 */
async function sentinelsAgree(sentinels: readonly HostPort[], masterName: string, roles: Roles): Promise<boolean> {
  for (const sentinel of sentinels) {
    const master = await masterSeenBy(sentinel, masterName);
    if (!master || !sameAddress(master, roles.master)) return false;
    const replicas = records(await redisCommand(sentinel, ['SENTINEL', 'REPLICAS', masterName], 1000));
    const replicaHealthy = replicas.some(
      (replica) =>
        Number(replica.get('port')) === roles.replica.port &&
        !/s_down|o_down|disconnected/.test(replica.get('flags') ?? ''),
    );
    const peers = records(await redisCommand(sentinel, ['SENTINEL', 'SENTINELS', masterName], 1000));
    if (!replicaHealthy || peers.length < sentinels.length - 1) return false;
  }
  return true;
}

async function settledTopology(
  dataNodes: readonly HostPort[],
  sentinels: readonly HostPort[],
  masterName: string,
): Promise<Roles | undefined> {
  const roles = await replicationRoles(dataNodes);
  return roles && (await sentinelsAgree(sentinels, masterName, roles)) ? roles : undefined;
}

async function sentinelFromEnv(): Promise<RedisSentinelServer> {
  const list = envValue('REDIS_SENTINELS');
  if (list === undefined) throw new ProviderUnavailableError('REDIS_SENTINELS is not set');
  const masterName = envValue('REDIS_SENTINEL_MASTER') ?? DEFAULT_MASTER_NAME;
  const sentinels = parseHostPortList(list, 26379, 'REDIS_SENTINELS');
  assertLoopback(
    'REDIS_SENTINELS',
    sentinels.map((node) => node.host),
  );
  await assertListening(`REDIS_SENTINELS=${list}`, sentinels);
  // Clients connect to the master the Sentinels name, so it must be loopback too.
  const master = await currentMaster(sentinels, masterName);
  assertLoopback(`the master "${masterName}" reported by REDIS_SENTINELS`, [master.host]);
  const refuse = (operation: string) =>
    Promise.reject(new Error(`redis-sentinel: cannot ${operation} servers the harness did not start (provider url)`));
  return {
    backend: 'redis-sentinel',
    provider: 'url',
    url: sentinelUrl(sentinels, masterName),
    nodes: sentinels,
    sentinels,
    masterName,
    canRestart: false,
    canFailover: false,
    dataSurvivesRestart: false,
    master: () => currentMaster(sentinels, masterName),
    failover: () => refuse('fail over'),
    stop: () => refuse('stop'),
    start: () => refuse('start'),
    dispose: () => Promise.resolve(),
  };
}

function sentinelContainer(): Promise<RedisSentinelServer> {
  // With host networking Sentinels could report reachable 127.0.0.1 addresses, but the
  // harness's failover() rewrites and reads the config files of processes it owns: a container
  // version of that is not written. Sentinel setups come from REDIS_SENTINELS or local servers,
  // also in CI.
  return Promise.reject(
    new ProviderUnavailableError(
      'Redis Sentinel in containers is not supported by the harness (its failover drives local redis-server processes)',
    ),
  );
}

class LocalRedisSentinel extends LocalServer implements RedisSentinelServer {
  declare readonly backend: 'redis-sentinel';
  readonly sentinels: readonly HostPort[];
  readonly masterName: string;
  readonly canFailover = true;
  private readonly dataNodes: readonly HostPort[];

  constructor(
    parts: ConstructorParameters<typeof LocalServer>[0],
    dataNodes: readonly HostPort[],
    sentinels: readonly HostPort[],
    masterName: string,
  ) {
    super(parts);
    this.dataNodes = dataNodes;
    this.sentinels = sentinels;
    this.masterName = masterName;
  }

  master(): Promise<HostPort> {
    return currentMaster(this.sentinels, this.masterName);
  }

  async failover(): Promise<HostPort> {
    const before = await this.master();
    // SENTINEL FAILOVER is refused while a failover runs (INPROG) or before the Sentinel has
    // fresh enough INFO from the replica (NOGOODSLAVE); both pass, so they are waited out.
    let fatal: Error | undefined;
    await pollUntil(
      async () => {
        try {
          await redisCommand(firstSentinel(this.sentinels), ['SENTINEL', 'FAILOVER', this.masterName], 2000);
          return true;
        } catch (error) {
          if (error instanceof RespError && /INPROG|NOGOODSLAVE/.test(error.message)) return false;
          fatal = error instanceof Error ? error : new Error(String(error));
          return false;
        }
      },
      {
        what: `Sentinel to accept SENTINEL FAILOVER ${this.masterName}`,
        timeoutMs: startTimeoutMs(),
        abort: () => fatal,
      },
    );
    let after: HostPort | undefined;
    await pollUntil(
      async () => {
        const reported = await Promise.all(this.sentinels.map((sentinel) => masterSeenBy(sentinel, this.masterName)));
        const first = reported[0];
        const agreed =
          first && !sameAddress(first, before) && reported.every((master) => master && sameAddress(master, first));
        if (!agreed) return false;
        const role = await redisCommand(first, ['ROLE'], 1000);
        after = Array.isArray(role) && role[0] === 'master' ? first : undefined;
        return after !== undefined;
      },
      {
        what: `every Sentinel to report a new master instead of ${formatHostPort(before)}`,
        timeoutMs: startTimeoutMs(),
      },
    );
    const newMaster = after as HostPort;
    // Sentinel demotes a former master that is still up only after it has reported the master
    // role for 8 s, at its next INFO (every 10 s). The harness takes that same step at once on
    // its own server, so that failover() resolves with the topology settled: the old master
    // replicates from the new one, and a second failover() can follow.
    // Like Sentinel's own reconfiguration, it then ends the former master's client connections
    // (its own excepted): a client still connected there would go on reading the data the
    // former master held when it stopped being one, until something made it look again.
    if (this.dataNodes.some((node) => sameAddress(node, before))) {
      await redisCommand(before, ['REPLICAOF', newMaster.host, String(newMaster.port)], 2000);
      await redisCommand(before, ['CONFIG', 'REWRITE'], 2000);
      await redisCommand(before, ['CLIENT', 'KILL', 'TYPE', 'normal'], 2000);
      await redisCommand(before, ['CLIENT', 'KILL', 'TYPE', 'pubsub'], 2000);
    }
    await pollUntil(
      async () => {
        const roles = await settledTopology(this.dataNodes, this.sentinels, this.masterName);
        return roles !== undefined && sameAddress(roles.master, newMaster);
      },
      {
        what: `the Sentinels and the former master ${formatHostPort(before)} to follow the new master ${formatHostPort(newMaster)}`,
        timeoutMs: startTimeoutMs(),
      },
    );
    return newMaster;
  }
}

function firstSentinel(sentinels: readonly HostPort[]): HostPort {
  const sentinel = sentinels[0];
  if (!sentinel) throw new Error('no Sentinel');
  return sentinel;
}

async function localSentinel(): Promise<RedisSentinelServer> {
  const redisServer = redisServerBinary();
  const masterName = DEFAULT_MASTER_NAME;
  return startLocalServer(async () => {
    const dir = await makeTempDir('redis-sentinel');
    const ports = await freePorts(2 + SENTINELS);
    const [masterPort, replicaPort, ...sentinelPorts] = ports as [number, number, ...number[]];
    const dataNodes: HostPort[] = [masterPort, replicaPort].map((port) => ({ host: '127.0.0.1', port }));
    const sentinels: HostPort[] = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
    // Names say where a node started, not its role: a failover swaps the roles.
    const data: LocalProcess[] = [
      await createRedisNode(redisServer, { dir, name: 'data-1', port: masterPort }),
      await createRedisNode(redisServer, {
        dir,
        name: 'data-2',
        port: replicaPort,
        config: [`replicaof 127.0.0.1 ${masterPort}`],
      }),
    ];
    const watchers: LocalProcess[] = [];
    for (const [index, port] of sentinelPorts.entries()) {
      watchers.push(
        await createRedisNode(redisServer, {
          dir,
          name: `sentinel-${index + 1}`,
          port,
          sentinel: true,
          config: [
            `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${masterName} 2000`,
            `sentinel failover-timeout ${masterName} 10000`,
            `sentinel parallel-syncs ${masterName} 1`,
          ],
        }),
      );
    }
    const what = `Redis Sentinel "${masterName}" (data nodes ${dataNodes.map(formatHostPort).join(', ')}) to settle`;
    // Data nodes first, replication up, then the Sentinels: they then find the replica in their
    // first INFO of the master instead of ten seconds later. Roles come from the config files,
    // which Sentinel rewrites on failover, so a restart keeps the current master.
    const bringUp = async () => {
      await Promise.all(data.map((process) => process.start()));
      await pollUntil(async () => (await replicationRoles(dataNodes)) !== undefined, {
        what: `${what}: replication`,
        timeoutMs: startTimeoutMs(),
      });
      await Promise.all(watchers.map((process) => process.start()));
      await pollUntil(async () => (await settledTopology(dataNodes, sentinels, masterName)) !== undefined, {
        what,
        timeoutMs: startTimeoutMs(),
      });
    };
    return new LocalRedisSentinel(
      {
        backend: 'redis-sentinel',
        dir,
        url: sentinelUrl(sentinels, masterName),
        nodes: sentinels,
        processes: [...data, ...watchers],
        dataSurvivesRestart: true,
        bringUp,
      },
      dataNodes,
      sentinels,
      masterName,
    );
  });
}

/**
 * A Redis master, one replica and three Sentinels watching them as "mymaster":
 * REDIS_SENTINELS (+ REDIS_SENTINEL_MASTER, default "mymaster"), else local servers (no
 * container provider, see above). Resolves once every Sentinel agrees on the master, sees the
 * replica and knows the other Sentinels.
 */
export function startRedisSentinel(options: StartOptions = {}): Promise<RedisSentinelServer> {
  return startWithProviders(
    'redis-sentinel',
    { url: sentinelFromEnv, container: sentinelContainer, local: localSentinel },
    options,
  );
}
