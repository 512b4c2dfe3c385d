import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../src/capabilities';
import { caseTitle, type ConformanceCase } from '../src/case';
import { casesForClause } from '../src/cases/index';
import { runCase, skipReasonOf } from '../src/context';
import { describeError } from '../src/calls';
import { referenceConformanceOptions } from '../src/reference-store';
import { brokenStores } from './broken-stores';

// Each broken store violates one clause (two for TouchOnlyTtlStore). The suite must fail it on
// that clause: some case of the clause rejects against the broken store, and that same case
// passes against the reference store, so the failure comes from the flaw and not the case.
describe('the suite fails stores that break a clause', () => {
  it('covers at least 15 distinct clauses with broken stores', () => {
    expect(new Set(brokenStores.flatMap((store) => store.clauses)).size).toBeGreaterThanOrEqual(15);
  });

  for (const broken of brokenStores) {
    for (const clause of broken.clauses) {
      it(`[C${clause}] fails ${broken.name}: ${broken.flaw}`, { timeout: 60_000 }, async () => {
        const options = referenceConformanceOptions({
          name: broken.name,
          createStore: broken.create,
          faultTimeoutMs: 300,
          recoveryTimeoutMs: 1000,
        });
        const capabilities = await capabilitiesFor(options);
        const runnable = casesForClause(clause).filter(
          (testCase) => skipReasonOf(testCase, { options, capabilities }) === null,
        );
        expect(runnable.length, `no case of clause ${clause} runs against ${broken.name}`).toBeGreaterThan(0);
        const failures: { testCase: ConformanceCase; error: unknown }[] = [];
        for (const testCase of runnable) {
          try {
            await runCase(testCase, options, capabilities);
          } catch (error) {
            failures.push({ testCase, error });
          }
        }
        expect(
          failures.map(({ testCase }) => caseTitle(testCase)),
          `every case of clause ${clause} passed against ${broken.name}`,
        ).not.toEqual([]);
        const reference = referenceConformanceOptions();
        for (const { testCase, error } of failures) {
          await expect(
            runCase(testCase, reference),
            `${caseTitle(testCase)} also fails on the reference store; against ${broken.name} it said: ${describeError(error)}`,
          ).resolves.toBeUndefined();
        }
      });
    }
  }
});
