import { randomBytes } from 'node:crypto';
import { runConformance } from '@session-stores/conformance';
import { sharedMapConformance } from './shared-map-store';

// The other paths through the base: listings by sid only (listIds, countRecords), a clear in
// one promise, no optional hooks else, and sessions encrypted (touch rewrites the sealed expiry).
runConformance(
  sharedMapConformance('SharedMapStore (lean, encrypted)', 'lean', { encryption: { secret: randomBytes(32) } }),
);
