import { describe, expect, it } from 'vitest';
import { caseTitle, GROUP_NAMES } from '../src/case';
import { casesByGroup, casesForClause, conformanceCases } from '../src/cases/index';

/** The clauses each group owns (CONTRACT.md headings). */
const GROUP_CLAUSES = {
  requiredMethods: [1, 9],
  expiry: [10, 22],
  enumeration: [23, 28],
  isolation: [29, 31],
  errorsAndFaults: [32, 39],
  dataFidelity: [40, 46],
  concurrency: [47, 50],
  callbacksAndPromises: [51, 54],
  endToEnd: [55, 56],
  sessionsByUser: [57, 62],
  hardening: [63, 67],
} as const;

describe("the suite's cases", () => {
  it('implement every clause of CONTRACT.md, 1 to 67, with at least one case', () => {
    const missing = Array.from({ length: 67 }, (_, index) => index + 1).filter(
      (clause) => casesForClause(clause).length === 0,
    );
    expect(missing).toEqual([]);
  });

  it('name only clauses that exist', () => {
    expect(
      conformanceCases
        .flatMap((testCase) => testCase.clauses)
        .filter((clause) => !Number.isInteger(clause) || clause < 1 || clause > 67),
    ).toEqual([]);
  });

  it('carry their clauses in their titles, and no two titles are the same', () => {
    const titles = conformanceCases.map(caseTitle);
    for (const title of titles) expect(title).toMatch(/^\[C\d+(, C\d+)*\] \S/);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('sit in a group that owns one of their clauses', () => {
    for (const group of GROUP_NAMES) {
      const [low, high] = GROUP_CLAUSES[group];
      for (const testCase of casesByGroup[group]) {
        expect(testCase.group, caseTitle(testCase)).toBe(group);
        expect(
          testCase.clauses.some((clause) => clause >= low && clause <= high),
          `${caseTitle(testCase)} is in ${group} (clauses ${low}-${high})`,
        ).toBe(true);
      }
    }
  });
});
