import { describe, it } from 'vitest';
import { declareConformance, mongoConformanceOptions } from './conformance-options';
import { mongoTargets } from './helpers';

// The whole conformance suite again with stringify: false, where the session is a BSON
// sub-document with encoded keys: the layout with the most ways to go wrong.
const { targets, skipped } = await mongoTargets();
for (const title of skipped)
  describe.skip(`conformance: MongoStore on ${title}, stringify: false`, () =>
    it('runs the conformance suite', () => {}));
for (const target of targets) declareConformance(target, mongoConformanceOptions(target, { stringify: false }), true);
