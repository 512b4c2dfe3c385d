import { randomBytes, randomUUID } from 'node:crypto';
import { callWithCallback, describeError, type CallbackMethod, type CallbackOutcome } from './calls';
import { capabilitiesFor } from './capabilities';
import type { CaseEnvironment, ConformanceCase } from './case';
import { liveSession, type CookieInit, type LiveSession } from './sessions';
import { closeStore } from './store-lifecycle';
import { suiteUserId } from './users';
import { pollUntil, waitUntilPast } from './timing';
import type { ConformanceOptions, FaultInjector, ResolvedCapabilities, StoreUnderTest } from './types';

export type StoredSession = Record<string, unknown>;

/** A fresh namespace: `cs_` and 16 random hex digits (`[a-z0-9_]`, starts with a letter). */
export function randomNamespace(): string {
  return `cs_${randomBytes(8).toString('hex')}`;
}

/**
 * What a case works with: the options, the resolved manifest, a fresh store on a random
 * namespace, more stores on demand, and checked calls. Everything it opens is closed by
 * {@link runCase} when the case ends, whatever happened.
 */
export class CaseContext {
  readonly namespace = randomNamespace();
  /** The store every case gets, on {@link namespace}. */
  store!: StoreUnderTest;
  readonly granularityMs: number;
  readonly faultTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly recoveryTimeoutMs: number;
  private readonly stores: StoreUnderTest[] = [];
  private readonly cleanups: (() => unknown)[] = [];

  constructor(
    readonly options: ConformanceOptions,
    readonly capabilities: ResolvedCapabilities,
  ) {
    this.granularityMs = capabilities.ttlGranularityMs;
    this.faultTimeoutMs = options.faultTimeoutMs ?? 5000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.recoveryTimeoutMs = options.recoveryTimeoutMs ?? 60_000;
  }

  /** `sids` without those the store refuses by design (`options.refusedSids`). */
  storable(sids: readonly string[]): string[] {
    const refused = this.options.refusedSids;
    return refused ? sids.filter((sid) => !refused(sid)) : [...sids];
  }

  /** A new store from `createStore`; the same namespace shares sessions, another isolates them. */
  async openStore(namespace: string = this.namespace): Promise<StoreUnderTest> {
    const store = await this.options.createStore({ namespace, userId: suiteUserId });
    this.stores.push(store);
    return store;
  }

  /** Closes a store before the case ends (an app restart), instead of at the end. */
  async closeStoreNow(store: StoreUnderTest): Promise<void> {
    const index = this.stores.indexOf(store);
    if (index >= 0) this.stores.splice(index, 1);
    await closeStore(this.options, store);
  }

  /** Runs `cleanup` when the case ends, before its stores are closed (last registered, first run). */
  defer(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  sid(): string {
    return randomUUID();
  }

  get faults(): FaultInjector {
    if (!this.options.faults) throw new Error('this case needs options.faults');
    return this.options.faults;
  }

  /** A live express-session Session bound to `store`. */
  session(
    sid: string,
    data: Record<string, unknown> = {},
    cookie: CookieInit = { maxAge: 60_000 },
    store: StoreUnderTest = this.store,
  ): LiveSession {
    return liveSession(store, sid, data, cookie);
  }

  /** A lifetime a few granularity steps long, for sessions that must expire during the test. */
  get shortLifetimeMs(): number {
    return Math.max(150, 2 * this.granularityMs);
  }

  /** Waits until `expiresAt` plus the declared granularity has passed (clause 10's bound). */
  waitPastExpiry(expiresAt: number): Promise<void> {
    return waitUntilPast(expiresAt + this.granularityMs);
  }

  call<T = unknown>(
    method: CallbackMethod,
    args: readonly unknown[],
    store: StoreUnderTest = this.store,
    timeoutMs = this.callTimeoutMs,
  ): Promise<CallbackOutcome<T>> {
    return callWithCallback<T>(store, method, args, timeoutMs);
  }

  /** Calls back without error, or the test fails naming the call. */
  async succeed<T = unknown>(
    method: CallbackMethod,
    args: readonly unknown[],
    store: StoreUnderTest = this.store,
  ): Promise<T | undefined> {
    const outcome = await this.call<T>(method, args, store);
    if (outcome.error) {
      throw new Error(`${outcome.label} called back with an error: ${describeError(outcome.error)}`, {
        cause: outcome.error,
      });
    }
    return outcome.value;
  }

  async get(sid: string, store: StoreUnderTest = this.store): Promise<StoredSession | null> {
    return ((await this.succeed<StoredSession | null>('get', [sid], store)) ?? null) as StoredSession | null;
  }

  async set(sid: string, session: unknown, store: StoreUnderTest = this.store): Promise<void> {
    await this.succeed('set', [sid, session], store);
  }

  async touch(sid: string, session: unknown, store: StoreUnderTest = this.store): Promise<void> {
    await this.succeed('touch', [sid, session], store);
  }

  async destroy(sid: string, store: StoreUnderTest = this.store): Promise<void> {
    await this.succeed('destroy', [sid], store);
  }

  async all(store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('all', [], store);
  }

  async ids(store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('ids', [], store);
  }

  async length(store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('length', [], store);
  }

  async clear(store: StoreUnderTest = this.store): Promise<void> {
    await this.succeed('clear', [], store);
  }

  /** `userSessions(userId)`: the user's live sessions as the store lists them (clauses 57-62). */
  async userSessions(userId: string, store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('userSessions', [userId], store);
  }

  async countUserSessions(userId: string, store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('countUserSessions', [userId], store);
  }

  /** `destroyUserSessions(userId, { except })`, or without options when no sid is kept. */
  async destroyUserSessions(userId: string, except?: string, store: StoreUnderTest = this.store): Promise<unknown> {
    return this.succeed('destroyUserSessions', except === undefined ? [userId] : [userId, { except }], store);
  }

  /** Every `{ sid, session }` that `store.iterate()` yields. */
  async iterate(store: StoreUnderTest = this.store): Promise<{ sid: string; session: StoredSession }[]> {
    if (typeof store.iterate !== 'function') throw new Error('store.iterate is not a function');
    const entries: { sid: string; session: StoredSession }[] = [];
    for await (const entry of store.iterate()) entries.push(entry as { sid: string; session: StoredSession });
    return entries;
  }

  /** Sets many sessions, a batch at a time so a slow backend is not flooded. */
  async setMany(
    entries: readonly [string, unknown][],
    store: StoreUnderTest = this.store,
    batchSize = 50,
  ): Promise<void> {
    for (let start = 0; start < entries.length; start += batchSize) {
      await Promise.all(entries.slice(start, start + batchSize).map(([sid, session]) => this.set(sid, session, store)));
    }
  }

  /** Stops the backend, runs `body`, and always starts the backend again and waits until `store` answers. */
  async withBackendDown<T>(body: () => Promise<T>, store: StoreUnderTest = this.store): Promise<T> {
    await this.faults.stopBackend();
    try {
      return await body();
    } finally {
      await this.faults.startBackend();
      await this.waitForRecovery(store);
    }
  }

  /** Polls `get` on `store` until it answers without error (clause 37: the same instance recovers). */
  async waitForRecovery(store: StoreUnderTest = this.store, timeoutMs = this.recoveryTimeoutMs): Promise<void> {
    const probe = this.sid();
    let lastError: unknown;
    await pollUntil(
      async () => {
        const outcome = await this.call('get', [probe], store, this.faultTimeoutMs + 5000);
        lastError = outcome.error;
        return !outcome.error;
      },
      {
        timeoutMs,
        intervalMs: 100,
        message: () => `the store did not work again after startBackend(): last error ${describeError(lastError)}`,
      },
    );
  }

  /** Runs the deferred cleanups, then closes every store the case opened. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    for (const store of this.stores.splice(0)) {
      try {
        await closeStore(this.options, store);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0)
      throw new AggregateError(errors, `cleanup after the case failed: ${errors.map(describeError).join('; ')}`);
  }
}

/**
 * Runs one case against the store made by `options.createStore`, outside or inside vitest.
 * The case's own failure wins over a cleanup failure; a cleanup failure alone fails the case.
 */
export async function runCase(
  testCase: ConformanceCase,
  options: ConformanceOptions,
  capabilities?: ResolvedCapabilities,
): Promise<void> {
  const resolved = capabilities ?? (await capabilitiesFor(options));
  const context = new CaseContext(options, resolved);
  try {
    context.store = await context.openStore();
    await testCase.run(context);
  } catch (error) {
    await context.dispose().catch(() => undefined);
    throw error;
  }
  await context.dispose();
}

/** The reason a case would be skipped for these options, or null. */
export function skipReasonOf(testCase: ConformanceCase, env: CaseEnvironment): string | null {
  return testCase.skipReason?.(env) ?? null;
}
