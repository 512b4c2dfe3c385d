import { startContainerServer } from './containers';
import { assertLoopback, firstNode, formatHostPort, hostsOfUrl, redactUrl } from './endpoints';
import { envValue } from './env';
import { ProviderUnavailableError } from './errors';
import { imageFor } from './images';
import { startWithProviders, type StartOptions } from './providers';
import { startLocalRedisWithConfig } from './redis-configured';
import { redisAnswers } from './resp';
import type { HarnessServer } from './types';
import { assertListening, urlServer } from './url-server';

async function redisFromUrl(): Promise<HarnessServer> {
  const url = envValue('REDIS_URL');
  if (url === undefined) throw new ProviderUnavailableError('REDIS_URL is not set');
  const nodes = hostsOfUrl(url, 6379, 'REDIS_URL');
  assertLoopback(
    'REDIS_URL',
    nodes.map((node) => node.host),
  );
  await assertListening(`REDIS_URL=${redactUrl(url)}`, nodes);
  return urlServer('redis', url, nodes);
}

function redisContainer(image?: string): Promise<HarnessServer> {
  return startContainerServer({
    backend: 'redis',
    nodes: [
      {
        image: imageFor('redis', image),
        // Same persistence as local servers: a snapshot at shutdown, read back at start.
        command: (port) => [
          'redis-server',
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '3600 1',
          '--appendonly',
          'no',
        ],
        isReady: (address) => redisAnswers(address),
      },
    ],
    url: (nodes) => `redis://${formatHostPort(firstNode(nodes))}`,
    dataSurvivesRestart: true,
  });
}

/** The local provider: a plain redis-server (the configured variant with no extra lines). */
function localRedis(): Promise<HarnessServer> {
  return startLocalRedisWithConfig([]);
}

/**
 * A standalone Redis: REDIS_URL, else a container, else a local redis-server. Local and
 * container servers keep their keys across stop()/start() (a snapshot is written at shutdown).
 */
export function startRedis(options: StartOptions = {}): Promise<HarnessServer> {
  return startWithProviders(
    'redis',
    { url: redisFromUrl, container: () => redisContainer(options.image), local: localRedis },
    options,
  );
}
