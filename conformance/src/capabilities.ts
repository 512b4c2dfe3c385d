import type { ConformanceOptions, ResolvedCapabilities, StoreCapabilities, StoreUnderTest } from './types';
import { closeStore } from './store-lifecycle';
import { suiteUserId } from './users';

/** The optional methods a manifest speaks about, in the order reports list them. */
export const OPTIONAL_METHODS = ['touch', 'all', 'ids', 'length', 'clear', 'iterate'] as const;
export type OptionalMethod = (typeof OPTIONAL_METHODS)[number];

const REQUIRED_KEYS: readonly (keyof StoreCapabilities)[] = [
  ...OPTIONAL_METHODS,
  'ttlGranularityMs',
  'maxSessionBytes',
  'persistent',
];

/** True when the options alone say everything the suite needs, so no probe store is made. */
export function isCompleteManifest(manifest: Partial<StoreCapabilities> | undefined): manifest is StoreCapabilities {
  return manifest !== undefined && REQUIRED_KEYS.every((key) => manifest[key] !== undefined);
}

/**
 * The manifest the suite decides from: `options.capabilities` over the store's own
 * `capabilities`, and for what neither says, what the store shows (a method it has is
 * supported), 1 ms granularity, no size limit, not persistent, no declared default TTL.
 * A store without any manifest (a third-party store) is thus tested on what it exposes.
 */
export function resolveCapabilities(
  options: Pick<ConformanceOptions, 'capabilities'>,
  store?: StoreUnderTest,
): ResolvedCapabilities {
  const own = store?.capabilities ?? {};
  const merged: Partial<StoreCapabilities> = { ...own, ...options.capabilities };
  const has = (method: OptionalMethod): boolean =>
    typeof (store as Record<string, unknown> | undefined)?.[method] === 'function';
  const granularity = merged.ttlGranularityMs ?? 1;
  if (!Number.isFinite(granularity) || granularity < 1) {
    throw new TypeError(
      `capabilities.ttlGranularityMs must be a number of milliseconds >= 1, got ${String(granularity)}`,
    );
  }
  const maxBytes = merged.maxSessionBytes ?? null;
  if (maxBytes !== null && (!Number.isFinite(maxBytes) || maxBytes < 1)) {
    throw new TypeError(
      `capabilities.maxSessionBytes must be a positive number of bytes or null, got ${String(maxBytes)}`,
    );
  }
  return {
    touch: merged.touch ?? has('touch'),
    all: merged.all ?? has('all'),
    ids: merged.ids ?? has('ids'),
    length: merged.length ?? has('length'),
    clear: merged.clear ?? has('clear'),
    iterate: merged.iterate ?? has('iterate'),
    ttlGranularityMs: granularity,
    maxSessionBytes: maxBytes,
    persistent: merged.persistent ?? false,
    defaultTtlMs: merged.defaultTtlMs ?? null,
    sessionsByUser: merged.sessionsByUser ?? typeof store?.userSessions === 'function',
  };
}

const probes = new WeakMap<ConformanceOptions, Promise<ResolvedCapabilities>>();

/**
 * Resolves the manifest once per options object. When `options.capabilities` is complete, no
 * store is made; otherwise one probe store is created on its own namespace, read and closed.
 */
export function capabilitiesFor(options: ConformanceOptions): Promise<ResolvedCapabilities> {
  let pending = probes.get(options);
  if (!pending) {
    pending = probe(options);
    probes.set(options, pending);
  }
  return pending;
}

async function probe(options: ConformanceOptions): Promise<ResolvedCapabilities> {
  if (isCompleteManifest(options.capabilities)) return resolveCapabilities(options);
  let store: StoreUnderTest;
  try {
    store = await options.createStore({ namespace: 'conformance_probe', userId: suiteUserId });
  } catch (error) {
    throw new Error(
      `conformance: ${options.name}: createStore() failed while the suite read the store's capability manifest. ` +
        'createStore must work when the tests are collected (start the backend with a top-level await or a setup file), ' +
        'or pass a complete options.capabilities so that no probe store is needed.',
      { cause: error },
    );
  }
  try {
    return resolveCapabilities(options, store);
  } finally {
    await closeStore(options, store);
  }
}
