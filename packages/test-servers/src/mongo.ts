import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ferretdbBinary } from './binaries';
import { startContainerServer } from './containers';
import { loadMongoDb } from './drivers';
import { assertLoopback, firstNode, formatHostPort, hostsOfUrl, redactUrl } from './endpoints';
import { envValue, remoteAllowed, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePort } from './free-port';
import { imageFor } from './images';
import { LocalProcess } from './local-process';
import { LocalServer, logFileIn, startLocalServer } from './local-server';
import { startWithProviders, type StartOptions } from './providers';
import { makeTempDir } from './temp-dir';
import type { HarnessServer } from './types';
import { assertListening, urlServer } from './url-server';

/**
 * Whether the server answers `ping`. With `pid`, also that `serverStatus` comes from that
 * process (FerretDB reports its pid), not from another server that took the port.
 */
export async function mongoAnswers(url: string, pid?: number): Promise<boolean> {
  const { MongoClient } = await loadMongoDb();
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 1000,
    connectTimeoutMS: 1000,
    directConnection: true,
  });
  try {
    await client.connect();
    const admin = client.db('admin');
    if ((await admin.command({ ping: 1 })).ok !== 1) return false;
    return pid === undefined || Number((await admin.command({ serverStatus: 1 })).pid) === pid;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function mongoFromUrl(): Promise<HarnessServer> {
  const url = envValue('MONGO_URL');
  if (url === undefined) throw new ProviderUnavailableError('MONGO_URL is not set');
  const nodes = hostsOfUrl(url, 27017, 'MONGO_URL');
  if (/^mongodb\+srv:/i.test(url)) {
    // SRV URLs name their hosts through DNS: nothing here can check that they are loopback.
    if (!remoteAllowed()) {
      throw new Error(
        'MONGO_URL is a mongodb+srv URL, whose hosts come from DNS and cannot be checked to be loopback; ' +
          'use mongodb://127.0.0.1:<port>, or set SESSION_STORES_ALLOW_REMOTE=1 to allow it.',
      );
    }
    return urlServer('mongo', url, nodes);
  }
  assertLoopback(
    'MONGO_URL',
    nodes.map((node) => node.host),
  );
  await assertListening(`MONGO_URL=${redactUrl(url)}`, nodes);
  return urlServer('mongo', url, nodes);
}

function mongoContainer(image?: string): Promise<HarnessServer> {
  return startContainerServer({
    backend: 'mongo',
    nodes: [
      {
        image: imageFor('mongo', image),
        command: (port) => ['mongod', '--port', String(port), '--bind_ip', '127.0.0.1'],
        isReady: (address) => mongoAnswers(`mongodb://${formatHostPort(address)}`),
      },
    ],
    url: (nodes) => `mongodb://${formatHostPort(firstNode(nodes))}`,
    dataSurvivesRestart: true,
  });
}

async function localFerretDb(): Promise<HarnessServer> {
  const ferretdb = ferretdbBinary();
  return startLocalServer(async () => {
    const dir = await makeTempDir('mongo');
    const dataDirectory = join(dir, 'data');
    await mkdir(dataDirectory);
    const port = await freePort();
    const url = `mongodb://127.0.0.1:${port}`;
    const server = new LocalProcess({
      label: `ferretdb on 127.0.0.1:${port}`,
      command: ferretdb,
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDirectory}/`,
        `--listen-addr=127.0.0.1:${port}`,
        '--state-dir=-',
        '--telemetry=disable',
        // Its debug HTTP listener defaults to 127.0.0.1:8088: two instances would collide.
        '--debug-addr=-',
      ],
      env: { ...process.env, DO_NOT_TRACK: '1' },
      cwd: dir,
      logFile: logFileIn(dir, 'ferretdb'),
      startTimeoutMs: startTimeoutMs(),
      isReady: (pid) => mongoAnswers(url, pid),
    });
    return new LocalServer({
      backend: 'mongo',
      dir,
      url,
      nodes: [{ host: '127.0.0.1', port }],
      processes: [server],
      dataSurvivesRestart: true,
    });
  });
}

/**
 * MongoDB: MONGO_URL, else a real `mongo` container, else a local FerretDB v1 (MongoDB wire
 * protocol over SQLite; it has no TTL indexes). Data survives stop()/start().
 */
export function startMongo(options: StartOptions = {}): Promise<HarnessServer> {
  return startWithProviders(
    'mongo',
    { url: mongoFromUrl, container: () => mongoContainer(options.image), local: localFerretDb },
    options,
  );
}
