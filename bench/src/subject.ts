import type { SessionData, Store } from 'express-session';

/** The backends, in report order: Redis twice, ours and raw on node-redis (`redis`) and on ioredis (`redis-ioredis`). */
export const BACKENDS = ['redis', 'redis-ioredis', 'postgres', 'mongo', 'sqlite', 'memcached'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Ours (a @session-stores package), the anchor (the store users run today), raw (the driver alone: the limit). */
export const SUBJECT_KINDS = ['ours', 'anchor', 'raw'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** Where a subject finds its backend: what a child process needs to connect again. */
export interface ServerInfo {
  backend: BackendName;
  /** Driver URL (memcached: `host:port[,host:port]`); for SQLite the directory holding the database files. */
  url: string;
}

/**
 * One way of doing session operations against a backend, promise-shaped so the load loop
 * treats all three kinds alike. Stores are driven through their callback API, as
 * express-session drives them.
 */
export interface Subject {
  readonly kind: SubjectKind;
  /** Package and version, or the commands the raw driver sends. */
  readonly label: string;
  get(sid: string): Promise<unknown>;
  set(sid: string, session: SessionData): Promise<void>;
  touch(sid: string, session: SessionData): Promise<void>;
  destroy(sid: string): Promise<void>;
  /** Absent when the subject has no such method. */
  all?(): Promise<unknown[]>;
  length?(): Promise<number>;
  /**
   * Walks every live session through the store's iterate(), holding none, and gives how many it
   * saw; calls `checkpoint` every {@link ITERATE_CHECKPOINT} sessions (the child collects garbage
   * there, so that what it samples is the heap the walk keeps alive, not garbage not yet collected).
   */
  iterate?(checkpoint?: () => void): Promise<number>;
  /** Why `all`/`length` are absent or not comparable, for the report. */
  readonly enumerationNote?: string;
  /** A faster way to write many sessions before an enumeration run (same layout as `set`). */
  seed?(sids: readonly string[], session: SessionData): Promise<void>;
  /** The express-session store behind this subject (ours and anchor only), for the end-to-end app. */
  readonly store?: Store;
  /** Closes what the subject opened. */
  close(): Promise<void>;
}

/** Why a subject could not be built (a store not written yet, a driver missing): reported, never fatal. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

export interface SubjectContext {
  server: ServerInfo;
  /** Keeps subjects and suites apart on one server: a key prefix, table, collection or file name part. */
  namespace: string;
  /** More options for ours' constructor (the by-user suite's `userId`); anchor and raw ignore them. */
  storeOptions?: Record<string, unknown>;
}

export interface RunningServer {
  info: ServerInfo;
  /** E.g. "redis-server 7.0.15 (local)". */
  description: string;
  dispose(): Promise<void>;
}

export const ITERATE_CHECKPOINT = 25_000;

/** What each backend file provides. */
export interface BackendDefinition {
  name: BackendName;
  /** The package users run today, with its version. */
  anchorLabel: string;
  /** The package of ours. */
  oursLabel: string;
  /** The commands the raw subject sends per operation. */
  rawLabel: string;
  /** `largestEnumeration`: the most sessions the enumeration suite will store (a server keeping them in memory is sized for it). */
  startServer(largestEnumeration: number): Promise<RunningServer>;
  createSubject(kind: SubjectKind, context: SubjectContext): Promise<Subject>;
}

type Callback<T> = (error: unknown, value?: T) => void;

/** Calls a callback-style method and settles with what the callback got. */
export function viaCallback<T = unknown>(call: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    call((error, value) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(value as T),
    );
  });
}

/**
 * Wraps an express-session store (ours or an anchor) as a subject, driving it through callbacks.
 * `enumeration` says which of all/length to measure: a store's method is left out when it does
 * not do what the name says (connect-memcached's length returns server stats).
 */
export function storeSubject(
  kind: 'ours' | 'anchor',
  label: string,
  store: Store,
  close: () => Promise<void>,
  extra: { all?: boolean; length?: boolean; enumerationNote?: string; seed?: Subject['seed'] } = {},
): Subject {
  const target = store as Store & {
    touch?: (sid: string, session: SessionData, callback: Callback<void>) => void;
    all?: (callback: Callback<unknown>) => void;
    length?: (callback: Callback<number>) => void;
    iterate?: () => AsyncIterable<unknown>;
  };
  const hasAll = (extra.all ?? true) && typeof target.all === 'function';
  const hasLength = (extra.length ?? true) && typeof target.length === 'function';
  const subject: Subject = {
    kind,
    label,
    store,
    enumerationNote: extra.enumerationNote,
    get: (sid) => viaCallback((cb) => target.get(sid, cb as never)),
    set: (sid, session) => viaCallback<void>((cb) => target.set(sid, session, cb as never)),
    touch: (sid, session) => {
      const touch = target.touch;
      if (typeof touch !== 'function') return Promise.reject(new Error(`${label} has no touch`));
      return viaCallback<void>((cb) => touch.call(target, sid, session, cb));
    },
    destroy: (sid) => viaCallback<void>((cb) => target.destroy(sid, cb as never)),
    close,
  };
  if (hasAll) subject.all = () => viaCallback<unknown>((cb) => target.all!(cb)).then(asArray);
  if (hasLength) subject.length = () => viaCallback<number>((cb) => target.length!(cb));
  if (typeof target.iterate === 'function') {
    subject.iterate = async (checkpoint) => {
      let count = 0;
      for await (const entry of target.iterate!()) {
        if (entry) count++;
        if (checkpoint && count % ITERATE_CHECKPOINT === 0) checkpoint();
      }
      return count;
    };
  }
  if (extra.seed) subject.seed = extra.seed;
  return subject;
}

/** connect-redis and others return an array; a few stores return an object keyed by sid. */
function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.values(value);
  return [];
}

/** Loads one of our stores by package and export name, or says why it cannot be measured. */
export async function loadOurStore<T>(
  packageName: string,
  exportName: string,
  load: () => Promise<unknown>,
): Promise<T> {
  let module: Record<string, unknown>;
  try {
    module = (await load()) as Record<string, unknown>;
  } catch (error) {
    throw new UnavailableError(
      `${packageName} cannot be loaded: ${(error as Error)?.message ?? String(error)}`.split('\n')[0],
    );
  }
  const exported = module[exportName];
  if (typeof exported !== 'function') throw new UnavailableError(`${packageName} does not export ${exportName} yet`);
  return exported as T;
}
