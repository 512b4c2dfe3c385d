import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStoreWarning } from '../src';
import { eventually } from './eventually';
import { PruningStore } from './map-store';

describe('warn(): background failures as a coded warning event', () => {
  const processWarnings: Error[] = [];
  const onProcessWarning = (warning: Error) => processWarnings.push(warning);
  process.on('warning', onProcessWarning);
  afterEach(() => {
    processWarnings.length = 0;
  });

  it('emits a SessionStoreWarning with the code, the store, the message and the cause, on a later tick', async () => {
    const store = new PruningStore();
    const seen: SessionStoreWarning[] = [];
    store.on('warning', (warning: SessionStoreWarning) => seen.push(warning));
    const cause = new Error('monitor stuck');
    store.report('ERR_TEST_WARNING', 'something to know', cause);
    expect(seen).toEqual([]);
    await eventually(() => seen.length === 1);
    expect(seen[0]).toMatchObject({
      name: 'SessionStoreWarning',
      code: 'ERR_TEST_WARNING',
      store: 'MapStore',
      message: 'MapStore: something to know',
      cause,
    });
  });

  it('without a listener, nothing happens: no throw, no crash', async () => {
    const store = new PruningStore();
    expect(() => store.report('ERR_TEST_WARNING', 'unheard')).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('a listener that throws is reported with process.emitWarning, never kills the process', async () => {
    const store = new PruningStore();
    store.on('warning', () => {
      throw new Error('listener bug');
    });
    store.report('ERR_TEST_WARNING', 'heard by a broken listener');
    await eventually(() => processWarnings.some((warning) => /listener bug/.test(warning.message)));
    expect(processWarnings.find((warning) => /listener bug/.test(warning.message))).toMatchObject({
      code: 'ERR_SESSION_STORE_LISTENER_THREW',
      message: expect.stringMatching(/^MapStore: a "warning" listener threw: listener bug/),
    });
  });
});
