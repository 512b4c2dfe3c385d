import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import { resolveCapabilities } from '../src/capabilities';
import { ReferenceBackend, ReferenceStore, type ReferenceStoreOptions } from '../src/reference-store';
import { enumeration, expiry, planGroup, requiredMethods } from '../src/index';
import type { ConformanceOptions } from '../src/types';

const HIDDEN = ['touch', 'all', 'ids', 'length', 'clear', 'iterate'] as const;

/** A store with only get, set and destroy: the optional methods are absent, and it says so. */
class MinimalStore extends ReferenceStore {
  constructor(options: ReferenceStoreOptions) {
    super(options);
    for (const method of HIDDEN) {
      Object.defineProperty(this, method, { value: undefined });
      this.capabilities[method] = false;
    }
  }
}

const backend = new ReferenceBackend();
const options: ConformanceOptions = {
  name: 'MinimalStore (get, set, destroy only; no hooks)',
  createStore: ({ namespace }) => new MinimalStore({ backend, namespace }),
};

// The groups run alone with the same options, and what the store lacks shows as skipped.
requiredMethods(options);
expiry(options);
enumeration(options);

describe('the manifest decides what runs', () => {
  it('skips the cases a minimal store cannot run, naming the reason in the title', () => {
    const capabilities = resolveCapabilities(options, new MinimalStore({ backend, namespace: 'plan' }));
    const plan = [
      ...planGroup('enumeration', { options, capabilities }),
      ...planGroup('expiry', { options, capabilities }),
      ...planGroup('errorsAndFaults', { options, capabilities }),
    ];
    const skipped = plan.filter((test) => test.skipReason).map((test) => test.title);
    expect(skipped).toContain(
      '[C23] all() returns every live session once, as an array of deep copies carrying their sid in id (skipped: capabilities.all is false)',
    );
    expect(skipped).toContain(
      '[C18] touch(sid) with a later expires keeps the session alive past its first expiry, until the new one (skipped: capabilities.touch is false)',
    );
    expect(
      skipped.some(
        (title) =>
          title.startsWith('[C32, C35, C54]') &&
          title.endsWith('(skipped: no options.faults (stopBackend/startBackend) given)'),
      ),
    ).toBe(true);
    expect(
      skipped.some(
        (title) => title.startsWith('[C36]') && title.endsWith('(skipped: no options.inspect.writeCorrupt given)'),
      ),
    ).toBe(true);
    const running = plan.filter((test) => !test.skipReason).map((test) => test.title);
    expect(running).toContain(
      '[C28] methods the manifest marks unsupported are absent, and supported ones are functions',
    );
    expect(running.some((title) => title.startsWith('[C26] stores on namespaces A and A_b'))).toBe(true);
  });

  it("infers a manifest from the methods of a store that has none (express-session's MemoryStore)", () => {
    const capabilities = resolveCapabilities({}, new expressSession.MemoryStore());
    expect(capabilities).toEqual({
      touch: true,
      all: true,
      ids: false,
      length: true,
      clear: true,
      iterate: false,
      ttlGranularityMs: 1,
      maxSessionBytes: null,
      persistent: false,
      defaultTtlMs: null,
      sessionsByUser: false,
    });
  });

  it('lets options.capabilities override what the store says', () => {
    const capabilities = resolveCapabilities(
      { capabilities: { ttlGranularityMs: 1000, all: false } },
      new ReferenceStore({ backend }),
    );
    expect(capabilities.ttlGranularityMs).toBe(1000);
    expect(capabilities.all).toBe(false);
    expect(capabilities.ids).toBe(true);
  });

  it('rejects a manifest with a granularity below 1 ms', () => {
    expect(() => resolveCapabilities({ capabilities: { ttlGranularityMs: 0 } })).toThrow(TypeError);
  });
});
