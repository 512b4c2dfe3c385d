import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresBinaries } from './binaries';
import { startContainerServer } from './containers';
import { loadPg } from './drivers';
import { assertLoopback, firstNode, formatHostPort, hostsOfUrl, redactUrl } from './endpoints';
import { envValue, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePort } from './free-port';
import { imageFor } from './images';
import { LocalProcess } from './local-process';
import { LocalServer, logFileIn, startLocalServer } from './local-server';
import { startWithProviders, type StartOptions } from './providers';
import { runCommand } from './run-command';
import { makeTempDir } from './temp-dir';
import type { HarnessServer } from './types';
import { assertListening, urlServer } from './url-server';
import { runningAsRoot, userIds } from './users';

/**
 * Whether PostgreSQL accepts a connection and runs a query. With `dataDirectory`, also that the
 * answer comes from the server we started (not another one that took the port).
 */
export async function postgresAnswers(url: string, dataDirectory?: string): Promise<boolean> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (dataDirectory === undefined) return (await client.query('select 1 as one')).rows[0]?.one === 1;
    return (await client.query('show data_directory')).rows[0]?.data_directory === dataDirectory;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresUrl(host: string, port: number): string {
  return `postgres://postgres@${formatHostPort({ host, port })}/postgres`;
}

async function postgresFromUrl(): Promise<HarnessServer> {
  const url = envValue('DATABASE_URL');
  if (url === undefined) throw new ProviderUnavailableError('DATABASE_URL is not set');
  const nodes = hostsOfUrl(url, 5432, 'DATABASE_URL');
  // libpq and pg let ?host= override the host of the URL.
  const queryHost = new URLSearchParams(url.split('?')[1] ?? '').get('host');
  assertLoopback('DATABASE_URL', [...nodes.map((node) => node.host), ...(queryHost === null ? [] : [queryHost])]);
  await assertListening(`DATABASE_URL=${redactUrl(url)}`, nodes);
  return urlServer('postgres', url, nodes);
}

function postgresContainer(image?: string): Promise<HarnessServer> {
  return startContainerServer({
    backend: 'postgres',
    nodes: [
      {
        image: imageFor('postgres', image),
        environment: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
        // The official image's entrypoint first runs a server for initialisation on a Unix
        // socket only: polling over TCP reaches the real one.
        command: (port) => ['postgres', '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
        isReady: (address) => postgresAnswers(postgresUrl(address.host, address.port)),
      },
    ],
    url: (nodes) => postgresUrl(firstNode(nodes).host, firstNode(nodes).port),
    dataSurvivesRestart: true,
  });
}

/** PostgreSQL refuses to run as root: then initdb and postgres run as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (!runningAsRoot()) return undefined;
  const ids = userIds('postgres');
  if (!ids) throw new ProviderUnavailableError('running as root, and there is no "postgres" user to run PostgreSQL as');
  return ids;
}

async function localPostgres(): Promise<HarnessServer> {
  const binaries = postgresBinaries();
  const user = serverUser();
  return startLocalServer(async () => {
    const dir = await makeTempDir('postgres');
    if (user) await chown(dir, user.uid, user.gid);
    const dataDirectory = join(dir, 'data');
    // Trust authentication for local and loopback connections, as user "postgres"; no fsync
    // during initdb (a test cluster is thrown away, and the OS keeps written pages anyway).
    await runCommand(
      binaries.initdb,
      ['-D', dataDirectory, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      {
        cwd: dir,
        logFile: logFileIn(dir, 'initdb'),
        timeoutMs: startTimeoutMs(),
        user,
      },
    );
    const port = await freePort();
    const url = postgresUrl('127.0.0.1', port);
    const server = new LocalProcess({
      label: `postgres on 127.0.0.1:${port}`,
      command: binaries.postgres,
      args: [
        '-D',
        dataDirectory,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        // TCP only: a socket path under a long TMPDIR can exceed the Unix socket path limit.
        '-c',
        'unix_socket_directories=',
        // Durability against OS crashes is not needed for tests; data still survives stop/start.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      cwd: dir,
      user,
      logFile: logFileIn(dir, 'postgres'),
      // SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to disconnect;
      // SIGINT ("fast") disconnects them and shuts down cleanly.
      stopSignal: 'SIGINT',
      startTimeoutMs: startTimeoutMs(),
      isReady: () => postgresAnswers(url, dataDirectory),
    });
    return new LocalServer({
      backend: 'postgres',
      dir,
      url,
      nodes: [{ host: '127.0.0.1', port }],
      processes: [server],
      dataSurvivesRestart: true,
    });
  });
}

/**
 * PostgreSQL: DATABASE_URL, else a container, else a local cluster (initdb + postgres in a
 * temporary directory). The url is `postgres://postgres@127.0.0.1:<port>/postgres`, trust
 * authentication on loopback. Data survives stop()/start().
 */
export function startPostgres(options: StartOptions = {}): Promise<HarnessServer> {
  return startWithProviders(
    'postgres',
    { url: postgresFromUrl, container: () => postgresContainer(options.image), local: localPostgres },
    options,
  );
}
