import { redisServerBinary } from './binaries';
import { startContainerServer } from './containers';
import { assertLoopback, firstNode, formatHostPort, hostsOfUrl, redactUrl } from './endpoints';
import { envValue } from './env';
import { ProviderUnavailableError } from './errors';
import { freePort } from './free-port';
import { IMAGES } from './images';
import { LocalServer, startLocalServer } from './local-server';
import { startWithProviders, type StartOptions } from './providers';
import { createRedisNode } from './redis-node';
import { redisAnswers } from './resp';
import { makeTempDir } from './temp-dir';
import type { HarnessServer } from './types';
import { assertListening, urlServer } from './url-server';

async function redisFromUrl(): Promise<HarnessServer> {
  const url = envValue('REDIS_URL');
  if (url === undefined) throw new ProviderUnavailableError('REDIS_URL is not set');
  const nodes = hostsOfUrl(url, 6379, 'REDIS_URL');
  assertLoopback('REDIS_URL', nodes.map((node) => node.host));
  await assertListening(`REDIS_URL=${redactUrl(url)}`, nodes);
  return urlServer('redis', url, nodes);
}

function redisContainer(): Promise<HarnessServer> {
  return startContainerServer({
    backend: 'redis',
    nodes: [
      {
        image: IMAGES.redis,
        containerPort: 6379,
        // Same persistence as local servers: a snapshot at shutdown, read back at start.
        command: ['redis-server', '--save', '3600 1', '--appendonly', 'no'],
        waitStrategy: ({ Wait }) => Wait.forLogMessage('Ready to accept connections'),
        isReady: (address) => redisAnswers(address),
      },
    ],
    url: (nodes) => `redis://${formatHostPort(firstNode(nodes))}`,
    dataSurvivesRestart: true,
  });
}

async function localRedis(): Promise<HarnessServer> {
  const redisServer = redisServerBinary();
  return startLocalServer(async () => {
    const dir = await makeTempDir('redis');
    const port = await freePort();
    const node = await createRedisNode(redisServer, { dir, name: 'redis', port });
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

/**
 * A standalone Redis: REDIS_URL, else a container, else a local redis-server. Local and
 * container servers keep their keys across stop()/start() (a snapshot is written at shutdown).
 */
export function startRedis(options: StartOptions = {}): Promise<HarnessServer> {
  return startWithProviders('redis', { url: redisFromUrl, container: redisContainer, local: localRedis }, options);
}
