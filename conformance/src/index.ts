export {
  runConformance,
  requiredMethods,
  expiry,
  enumeration,
  isolation,
  errorsAndFaults,
  dataFidelity,
  concurrency,
  callbacksAndPromises,
  endToEnd,
  sessionsByUser,
  hardening,
  planGroup,
  type PlannedTest,
} from './suite';
export { conformanceCases, casesByGroup, casesForClause } from './cases/index';
export { caseTitle, GROUP_NAMES, type CaseEnvironment, type ConformanceCase, type GroupName } from './case';
export { CaseContext, runCase, randomNamespace, skipReasonOf } from './context';
export { capabilitiesFor, resolveCapabilities } from './capabilities';
export {
  ReferenceBackend,
  ReferenceStore,
  ReferenceStoreError,
  ReferenceErrorCode,
  referenceConformanceOptions,
  referenceInspector,
  type ReferenceConformanceOptions,
  type ReferenceRecord,
  type ReferenceStoreOptions,
} from './reference-store';
export { callWithCallback, callWithPromise, type CallbackOutcome } from './calls';
export { captureProcessFaults, type ProcessFault } from './process-faults';
export { secretsIn } from './cases/helpers';
export { suiteUserId, SUITE_USER_KEY } from './users';
export { liveSession, loadedSession, jsonForm, plainSession, type CookieInit, type LiveSession } from './sessions';
export type {
  ConformanceOptions,
  FaultInjector,
  Inspector,
  ResolvedCapabilities,
  StoreCapabilities,
  StoreContext,
  StoreUnderTest,
} from './types';
