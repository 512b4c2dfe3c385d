import { ReferenceBackend, ReferenceStore, referenceInspector, runConformance } from '@session-stores/conformance';

// Replace ReferenceStore with your store; keep one backend per test file.
const backend = new ReferenceBackend();

runConformance({
  name: 'ReferenceStore (README example)',
  // A fresh store per test, on a namespace (key prefix, table...) of the suite's choosing.
  createStore: ({ namespace }) => new ReferenceStore({ backend, namespace }),
  // Optional: read the backend directly, and take it down for the fault clauses.
  inspect: referenceInspector,
  faults: { stopBackend: () => backend.stopBackend(), startBackend: () => backend.startBackend() },
});
