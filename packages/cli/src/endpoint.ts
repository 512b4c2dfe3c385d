import { UsageError } from './usage-error';

/** The stores the command can open, by the name a config file uses. */
export const STORE_KINDS = ['redis', 'postgres', 'mongo', 'sqlite', 'memcached'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** One side of a copy: which store, and the options its constructor gets. */
export interface StoreSpec {
  store: StoreKind;
  options: Record<string, unknown>;
  /** What progress lines and errors call this side: the URL without its password. */
  label: string;
}

/** The namespace flags of one side (`--from-prefix`, `--to-table`, ...). */
export interface Namespace {
  prefix?: string;
  table?: string;
  collection?: string;
}

const SCHEMES: Record<string, StoreKind> = {
  'redis:': 'redis',
  'rediss:': 'redis',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mongodb:': 'mongo',
  'mongodb+srv:': 'mongo',
  'memcached:': 'memcached',
  'sqlite:': 'sqlite',
};

/** Which namespace flag each store takes, so a wrong one is refused with the right one named. */
const NAMESPACE_FLAG: Record<StoreKind, keyof Namespace> = {
  redis: 'prefix',
  memcached: 'prefix',
  postgres: 'table',
  sqlite: 'table',
  mongo: 'collection',
};

export const SUPPORTED_FORMS =
  'redis://, rediss://, postgres://, postgresql://, mongodb://, mongodb+srv://, memcached://host:port[,host:port], sqlite:<path> or a file path';

/**
 * Turns a command-line side (`redis://127.0.0.1:6379`, `./sessions.db`) and its namespace flags
 * into the store to open. `side` is `from` or `to`, for the flag names in errors.
 */
export function parseEndpoint(text: string, namespace: Namespace, side: 'from' | 'to'): StoreSpec {
  if (typeof text !== 'string' || text.trim() === '')
    throw new UsageError(`the ${side} side is empty; give ${SUPPORTED_FORMS}`);
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(text)?.[1]?.toLowerCase();
  // A Windows drive letter (C:\...) is a path, not a scheme.
  const isDrive = scheme !== undefined && /^[a-z]:[\\/]/i.test(text);
  const store = scheme === undefined || isDrive ? 'sqlite' : SCHEMES[scheme];
  if (!store) throw new UsageError(`unsupported ${side} URL "${redact(text)}": give ${SUPPORTED_FORMS}`);
  checkNamespace(store, namespace, side);
  const options = optionsFor(store, text, scheme === 'sqlite:' ? text.slice('sqlite:'.length) : text, side);
  return { store, options: { ...options, ...namespaceOptions(store, namespace) }, label: redact(text) };
}

function optionsFor(store: StoreKind, text: string, path: string, side: string): Record<string, unknown> {
  switch (store) {
    case 'redis':
      return { url: checkedUrl(text, side) };
    case 'postgres':
      return { connectionString: checkedUrl(text, side) };
    case 'mongo':
      return { mongoUrl: checkedUrl(text, side) };
    case 'memcached':
      return { servers: memcachedServers(text, side) };
    case 'sqlite': {
      // sqlite:///abs/path and sqlite://rel/path are accepted as the same file as sqlite:/abs/path.
      const filename = path.replace(/^\/\/(?=\/)/, '').replace(/^\/\/(?!\/)/, '');
      if (filename === '') throw new UsageError(`the ${side} SQLite URL names no file: use sqlite:<path>`);
      return { filename };
    }
  }
}

function checkedUrl(text: string, side: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`the ${side} URL "${redact(text)}" is not a valid URL`);
  }
  if (url.protocol !== 'mongodb+srv:' && url.hostname === '')
    throw new UsageError(`the ${side} URL "${redact(text)}" names no host`);
  return text;
}

function memcachedServers(text: string, side: string): string {
  const list = text.slice('memcached://'.length).replace(/\/$/, '');
  const servers = list.split(',');
  for (const server of servers) {
    if (
      !/^(\[[0-9a-f:]+\]|[a-z0-9.-]+):\d{1,5}$/i.test(server) ||
      Number(server.slice(server.lastIndexOf(':') + 1)) > 65535
    )
      throw new UsageError(
        `the ${side} URL "${text}" is not memcached://host:port[,host:port]: "${server}" is not host:port`,
      );
  }
  return servers.join(',');
}

function checkNamespace(store: StoreKind, namespace: Namespace, side: string): void {
  const wanted = NAMESPACE_FLAG[store];
  for (const flag of Object.keys(namespace) as (keyof Namespace)[]) {
    if (namespace[flag] === undefined || flag === wanted) continue;
    throw new UsageError(`--${side}-${flag} does not apply to ${store}; use --${side}-${wanted}`);
  }
}

function namespaceOptions(store: StoreKind, namespace: Namespace): Record<string, unknown> {
  const value = namespace[NAMESPACE_FLAG[store]];
  if (value === undefined) return {};
  switch (store) {
    case 'redis':
    case 'memcached':
      return { prefix: value };
    case 'sqlite':
      return { table: value };
    case 'mongo':
      return { collectionName: value };
    case 'postgres': {
      // "schema.table" names both, as in SQL.
      const dot = value.indexOf('.');
      return dot === -1 ? { tableName: value } : { schemaName: value.slice(0, dot), tableName: value.slice(dot + 1) };
    }
  }
}

/** The URL with its password replaced, for messages and progress lines. */
export function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
