import { redisServerBinary } from './binaries';
import { freePort } from './free-port';
import { LocalServer, startLocalServer } from './local-server';
import { createRedisNode } from './redis-node';
import { makeTempDir } from './temp-dir';
import type { HarnessServer } from './types';

/**
 * A local standalone redis-server with extra redis.conf lines, for tests of how a store copes
 * with a particular server setup: for example `rename-command PEXPIRETIME ""` to answer like a
 * Redis older than 7.0. Local binaries only (a URL server's configuration cannot be chosen).
 */
export async function startLocalRedisWithConfig(config: readonly string[]): Promise<HarnessServer> {
  const redisServer = redisServerBinary();
  return startLocalServer(async () => {
    const dir = await makeTempDir(config.length > 0 ? 'redis-configured' : 'redis');
    const port = await freePort();
    const node = await createRedisNode(redisServer, { dir, name: 'redis', port, config });
    return new LocalServer({
      backend: 'redis',
      dir,
      url: `redis://127.0.0.1:${port}`,
      nodes: [{ host: '127.0.0.1', port }],
      processes: [node],
      dataSurvivesRestart: true,
    });
  });
}
