import { describe, it } from 'vitest';
import { declareConformance, mongoConformanceOptions } from './conformance-options';
import { mongoTargets } from './helpers';

// The whole conformance suite, in the default layout (the session as JSON text), on FerretDB
// and on a real MongoDB when there is one. Faults stop and start the server this file started.
// On FerretDB the cases it cannot pass are reported as skipped with the reason.
const { targets, skipped } = await mongoTargets();
for (const title of skipped)
  describe.skip(`conformance: MongoStore on ${title}`, () => it('runs the conformance suite', () => {}));
for (const target of targets) declareConformance(target, mongoConformanceOptions(target));
