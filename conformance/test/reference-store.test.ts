import { referenceConformanceOptions, runConformance } from '../src/index';

// The whole suite, through its public entry, against the in-memory reference store: every
// clause runs (the reference store has inspection hooks and a simulated outage).
runConformance(referenceConformanceOptions());
