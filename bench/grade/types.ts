import type { ConformanceOptions, StoreCapabilities, StoreUnderTest } from '@session-stores/conformance';

/** What a graded store runs on: a server the harness starts, a fresh directory, or nothing. */
export type GradeBackend = 'redis' | 'postgres' | 'mongo' | 'memcached' | 'directory' | 'memory';

/** The backend as a store factory sees it. */
export interface GradeServer {
  backend: GradeBackend;
  /** The driver URL of a server (memcached: `host:port`); the directory for `directory`. */
  url: string;
  /** Where the harness found it: `url`, `container` or `local` (`memory`, `directory` otherwise). */
  provider: string;
  /** The server's data survives a stop/start (the harness says so). */
  dataSurvivesRestart: boolean;
}

/** How the suite makes this store's instances; each registers its own closing with {@link opened}. */
export type StoreFactory = ConformanceOptions['createStore'];

/** One store of the card. */
export interface GradedStore {
  /** Command-line id: `connect-redis`, `ours-redis`... */
  id: string;
  /** Shown in the card. */
  title: string;
  /** Whether it is one of this repository's stores. */
  ours: boolean;
  /** Packages whose installed versions the card reports (the store first, then its driver). */
  packages: string[];
  backend: GradeBackend;
  /** How a namespace is given to this store (the card's "namespace" column). */
  namespace: string;
  /** Special handling or limits the card must state. */
  notes?: string[];
  /**
   * What the card declares for a store without a manifest of its own, from its documentation
   * (a store that declares `capabilities` itself is taken at its word).
   */
  capabilities?(server: GradeServer): Partial<StoreCapabilities>;
  factory(server: GradeServer): StoreFactory;
}

const closers = new WeakMap<object, () => unknown>();

/**
 * A store a factory made, with what closes it and its connections: third-party stores have no
 * common `close()`, so each factory says how (its client's quit, its pool's end...).
 */
export function opened(store: object, close: () => unknown): StoreUnderTest {
  closers.set(store, close);
  return store as StoreUnderTest;
}

/** The suite's closeStore for every graded store. */
export async function closeOpened(store: object): Promise<void> {
  await closers.get(store)?.();
}
