import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { cacheDir, envValue } from './env';
import { ProviderUnavailableError } from './errors';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

interface BinarySearch {
  /** Executable name looked up on PATH. */
  name: string;
  /** An environment variable that names the binary; when set it must be right (no fallback). */
  envVar: string;
  /** Absolute paths tried before PATH. */
  candidates: readonly string[];
  /** How to install it, for the error message. */
  hint: string;
}

function findBinary({ name, envVar, candidates, hint }: BinarySearch): string {
  const configured = envValue(envVar);
  if (configured !== undefined) {
    if (isExecutableFile(configured)) return configured;
    throw new ProviderUnavailableError(`${envVar}=${configured} is not an executable file`);
  }
  const found = candidates.find(isExecutableFile) ?? onPath(name);
  if (found) return found;
  throw new ProviderUnavailableError(
    `${name} not found (looked at ${envVar}, ${[...candidates, 'PATH'].join(', ')}); ${hint}`,
  );
}

const INSTALL_HINT = 'run scripts/install-test-servers.sh';

export function redisServerBinary(): string {
  return findBinary({
    name: 'redis-server',
    envVar: 'REDIS_SERVER_BIN',
    candidates: ['/usr/bin/redis-server'],
    hint: INSTALL_HINT,
  });
}

/** redis-cli creates clusters; it is looked for beside redis-server first. */
export function redisCliBinary(serverBinary: string): string {
  return findBinary({
    name: 'redis-cli',
    envVar: 'REDIS_CLI_BIN',
    candidates: [join(dirname(serverBinary), 'redis-cli'), '/usr/bin/redis-cli'],
    hint: INSTALL_HINT,
  });
}

export function memcachedBinary(): string {
  return findBinary({
    name: 'memcached',
    envVar: 'MEMCACHED_BIN',
    candidates: ['/usr/bin/memcached'],
    hint: INSTALL_HINT,
  });
}

export function ferretdbBinary(): string {
  return findBinary({
    name: 'ferretdb',
    envVar: 'FERRETDB_BIN',
    candidates: [join(cacheDir(), 'bin', 'ferretdb')],
    hint: `${INSTALL_HINT} (it builds FerretDB v1.24.2 into ${join(cacheDir(), 'bin')})`,
  });
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Debian keeps each major version apart: /usr/lib/postgresql/<major>/bin, newest first. */
function debianPostgresDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => join('/usr/lib/postgresql', major, 'bin'));
  } catch {
    return [];
  }
}

export function postgresBinaries(): PostgresBinaries {
  const inDir = (dir: string): PostgresBinaries | undefined => {
    const binaries = { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') };
    return isExecutableFile(binaries.initdb) && isExecutableFile(binaries.postgres) ? binaries : undefined;
  };
  const configured = envValue('PG_BIN_DIR');
  if (configured !== undefined) {
    const binaries = inDir(configured);
    if (binaries) return binaries;
    throw new ProviderUnavailableError(`PG_BIN_DIR=${configured} does not hold executable initdb and postgres`);
  }
  for (const dir of debianPostgresDirs()) {
    const binaries = inDir(dir);
    if (binaries) return binaries;
  }
  const initdb = onPath('initdb');
  const binaries = initdb ? inDir(dirname(initdb)) : undefined;
  if (binaries) return binaries;
  throw new ProviderUnavailableError(
    `PostgreSQL (initdb, postgres) not found (looked at PG_BIN_DIR, /usr/lib/postgresql/*/bin, PATH); ${INSTALL_HINT}`,
  );
}
