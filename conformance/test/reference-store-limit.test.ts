import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../src/capabilities';
import { caseTitle } from '../src/case';
import { casesForClause } from '../src/cases/index';
import { runCase } from '../src/context';
import { ReferenceStore, referenceConformanceOptions } from '../src/reference-store';

// The reference store declares no size limit by default, so the suite's run never reaches its
// refusal of oversized sessions. Clause 45's cases, against a store that declares 64 KiB, expect
// a larger session refused through the callback with the previous value kept.
describe('ReferenceStore with maxSessionBytes', () => {
  const options = referenceConformanceOptions({
    name: 'ReferenceStore (maxSessionBytes 64 KiB)',
    createStore: (backend, namespace, userId) =>
      new ReferenceStore({ backend, namespace, userId, maxSessionBytes: 64 * 1024 }),
  });
  it('runs them against a store that declares the limit', async () => {
    expect((await capabilitiesFor(options)).maxSessionBytes).toBe(64 * 1024);
  });
  for (const testCase of casesForClause(45))
    it(caseTitle(testCase), { timeout: 60_000 }, () => runCase(testCase, options));
});
