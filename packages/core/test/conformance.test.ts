import { runConformance } from '@session-stores/conformance';
import { sharedMapConformance } from './shared-map-store';

// The whole suite against SessionStoreBase itself, over the Map fixture with every optional
// hook: the core's own tests check the base against the contract, as the stores' tests do
// against their backends.
runConformance(sharedMapConformance('SharedMapStore (full)', 'full'));
