import { afterAll, describe, expect } from 'vitest';
import { ReferenceBackend, ReferenceStore } from '../src/reference-store';
import { isolation } from '../src/index';

/*
 * The suite's tests run one at a time even where vitest would run them concurrently: a parent
 * describe asks for concurrency, as `sequence.concurrent` in a user's config would. Each test
 * opens its stores on a fresh namespace, so two namespaces with open stores at once would mean
 * two tests at once.
 */
const backend = new ReferenceBackend();
const open = new Map<string, number>();
let mostAtOnce = 0;

describe('a concurrent parent', { concurrent: true }, () => {
  isolation({
    name: 'ReferenceStore under a concurrent parent',
    createStore: ({ namespace }) => {
      open.set(namespace, (open.get(namespace) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, open.size);
      return new ReferenceStore({ backend, namespace });
    },
    closeStore: async (store) => {
      await store.close();
      const left = (open.get(store.namespace) ?? 1) - 1;
      if (left === 0) open.delete(store.namespace);
      else open.set(store.namespace, left);
    },
  });
});

afterAll(() => {
  // One test's namespace at a time (the probe store, made while collecting, is closed first).
  expect(mostAtOnce).toBe(1);
});
