import { performance } from 'node:perf_hooks';
import { describeError } from './load';
import type { BenchOptions } from './options';
import type { BackendResult } from './results';
import { SUBJECT_KINDS, UnavailableError, type BackendDefinition, type RunningServer, type Subject } from './subject';
import { runByUserSuite } from './suites/by-user';
import { runEndToEndSuite } from './suites/end-to-end';
import { runEnumerationSuite } from './suites/enumeration';
import { runOperationsSuite, type Log } from './suites/operations';

/**
 * Everything measured for one backend: one server, the three subjects on it, then each suite.
 * Nothing here throws: what cannot be measured is reported with the reason.
 */
export async function measureBackend(
  definition: BackendDefinition,
  options: BenchOptions,
  log: Log,
): Promise<BackendResult> {
  const started = performance.now();
  const result: BackendResult = {
    backend: definition.name,
    status: 'not measured',
    notes: [],
    server: null,
    labels: { ours: definition.oursLabel, anchor: definition.anchorLabel, raw: definition.rawLabel },
    unavailable: {},
    operations: [],
    enumeration: [],
    endToEnd: null,
    byUser: null,
    durationMs: 0,
  };
  let server: RunningServer | null = null;
  const subjects: Subject[] = [];
  try {
    log(`[${definition.name}] starting server`);
    const cap = options.sizeCaps[definition.name];
    const enumerated = options.suites.includes('enumeration')
      ? options.enumerationSizes.filter((size) => cap === undefined || size <= cap)
      : [];
    server = await definition.startServer(Math.max(options.byUserTotal, ...enumerated));
    result.server = server.description;
    for (const kind of SUBJECT_KINDS) {
      try {
        subjects.push(await definition.createSubject(kind, { server: server.info, namespace: 'ops' }));
      } catch (error) {
        result.unavailable[kind] = describeError(error);
        if (!(error instanceof UnavailableError)) log(`[${definition.name}] ${kind}: ${describeError(error)}`);
      }
    }
    if (result.unavailable.ours !== undefined)
      result.notes.push(`${definition.oursLabel} not measured: ${result.unavailable.ours}`);
    for (const kind of ['anchor', 'raw'] as const) {
      if (result.unavailable[kind] !== undefined)
        result.notes.push(`${kind} (${result.labels[kind]}) not measured: ${result.unavailable[kind]}`);
    }
    log(
      `[${definition.name}] ${server.description}; subjects: ${subjects.map((subject) => subject.kind).join(', ') || 'none'}`,
    );

    if (options.suites.includes('ops') && subjects.length > 0) {
      log(`[${definition.name}] operations`);
      result.operations = await runOperationsSuite(subjects, options, log);
    }
    if (options.suites.includes('enumeration')) {
      log(`[${definition.name}] all(), length() and iterate()`);
      const sizes = options.enumerationSizes.filter((size) => cap === undefined || size <= cap);
      const skipped = options.enumerationSizes.filter((size) => !sizes.includes(size));
      if (skipped.length > 0) {
        result.notes.push(
          `all()/length()/iterate() over ${skipped.map((size) => size.toLocaleString('en-US')).join(', ')} sessions skipped: capped at ${cap!.toLocaleString('en-US')} by --max-size ${definition.name}=${cap} (see bench/README.md)`,
        );
      }
      result.enumeration = await runEnumerationSuite(definition, server, options, log, sizes);
    }
    if (options.suites.includes('e2e')) {
      log(`[${definition.name}] end to end (Express + autocannon)`);
      result.endToEnd = await runEndToEndSuite(definition, server, options, log);
    }
    if (options.suites.includes('by-user') && result.unavailable.ours === undefined) {
      log(`[${definition.name}] sessions by user (ours with userId ÷ ours without)`);
      result.byUser = await runByUserSuite(definition, server, options, log);
    }
    result.status =
      result.unavailable.ours !== undefined
        ? 'not measured'
        : subjects.length === SUBJECT_KINDS.length
          ? 'measured'
          : 'partly measured';
  } catch (error) {
    result.notes.push(`stopped: ${describeError(error)}`);
    result.status = result.operations.length > 0 ? 'partly measured' : 'not measured';
    log(`[${definition.name}] stopped: ${describeError(error)}`);
  } finally {
    for (const subject of subjects)
      await subject
        .close()
        .catch((error: unknown) => log(`[${definition.name}] closing ${subject.kind}: ${describeError(error)}`));
    await server
      ?.dispose()
      .catch((error: unknown) => log(`[${definition.name}] stopping server: ${describeError(error)}`));
  }
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
