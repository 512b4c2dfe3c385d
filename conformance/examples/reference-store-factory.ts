// A store factory module for the CLI: `session-store-conformance ./reference-store-factory.ts`.
// It exports the factory and, optionally, the inspection and fault hooks.
import { ReferenceBackend, ReferenceStore, referenceInspector } from '../src/index';

const backend = new ReferenceBackend();

export default function createStore({ namespace }: { namespace: string }): ReferenceStore {
  return new ReferenceStore({ backend, namespace });
}

export const inspect = referenceInspector;

export const faults = {
  stopBackend: () => backend.stopBackend(),
  startBackend: () => backend.startBackend(),
};
