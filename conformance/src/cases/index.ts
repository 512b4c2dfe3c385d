import type { ConformanceCase, GroupName } from '../case';
import { callbacksAndPromisesCases } from './callbacks-and-promises';
import { concurrencyCases } from './concurrency';
import { dataFidelityCases } from './data-fidelity';
import { endToEndCases } from './end-to-end';
import { enumerationCases } from './enumeration';
import { errorsAndFaultsCases } from './errors-and-faults';
import { expiryCases } from './expiry';
import { hardeningCases } from './hardening';
import { isolationCases } from './isolation';
import { requiredMethodsCases } from './required-methods';
import { sessionsByUserCases } from './sessions-by-user';

/** Every case of the suite, by group, in report order. */
export const casesByGroup: Readonly<Record<GroupName, readonly ConformanceCase[]>> = {
  requiredMethods: requiredMethodsCases,
  expiry: expiryCases,
  enumeration: enumerationCases,
  isolation: isolationCases,
  errorsAndFaults: errorsAndFaultsCases,
  dataFidelity: dataFidelityCases,
  concurrency: concurrencyCases,
  callbacksAndPromises: callbacksAndPromisesCases,
  endToEnd: endToEndCases,
  sessionsByUser: sessionsByUserCases,
  hardening: hardeningCases,
};

/** Every case of the suite, in report order. */
export const conformanceCases: readonly ConformanceCase[] = Object.values(casesByGroup).flat();

/** The cases that check `clause` (CONTRACT.md numbering). */
export function casesForClause(clause: number): ConformanceCase[] {
  return conformanceCases.filter((testCase) => testCase.clauses.includes(clause));
}
