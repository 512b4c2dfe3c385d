import { AppProcess, type Crash, type MemorySample } from './app-process';
import type { Loss } from './clients';
import {
  faultResult,
  latencyBetween,
  memoryGrowth,
  seconds,
  type FaultEvent,
  type FaultResult,
  type Latency,
  type MemoryGrowth,
  type Second,
} from './metrics';
import type { SoakOptions } from './options';
import { gitCommit } from './report';
import type { SoakTarget } from './targets';
import { Traffic } from './traffic';

/** One run of one target: its apps under traffic, its faults, what happened. */
export interface RunResult {
  target: string;
  /** The commit measured: a merged report (`--merge`) holds runs of several. */
  commit: string;
  users: number;
  concurrency: number;
  /** Why this target ran at its own load rather than the profile's (see `SoakTarget.load`). */
  loadWhy?: string;
  server: string;
  apps: number;
  durable: boolean;
  seconds: number;
  startedAt: number;
  requests: number;
  errors: number;
  overall: Latency;
  crashes: Crash[];
  /** Requests slower than the longest a request may wait on the store (see `hangThresholdMs`). */
  hangs: number;
  hangThresholdMs: number;
  lost: { missing: number; stale: number; withoutFault: number };
  /** The first losses no fault explains, in seconds from the start, to find their cause. */
  unattributed: { kind: Loss['kind']; ackAtS: number; atS: number; nearestFault: string }[];
  faults: FaultResult[];
  memory: MemoryGrowth;
  /** Store failures after the response was sent (a touch at the end of a read). */
  lateErrors: number;
  timeline: Second[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When each fault begins: after a warm-up of a fifth of the run, then evenly spaced, each
 * leaving time after it to recover before the next.
 */
export function faultTimes(runMs: number, faults: number): number[] {
  const warmUp = runMs / 5;
  const spacing = (runMs - warmUp) / faults;
  return Array.from({ length: faults }, (_, i) => warmUp + i * spacing);
}

/** The backend could not be started here: in CI a failure, locally a skip with this reason. */
export class TargetUnavailableError extends Error {}

export async function soakRun(
  target: SoakTarget,
  apps: number,
  options: SoakOptions,
  runMs: number,
): Promise<RunResult> {
  const running = await target.start(options.downMs).catch((error: unknown) => {
    throw new TargetUnavailableError(error instanceof Error ? error.message : String(error));
  });
  const crashes: Crash[] = [];
  const memory: MemorySample[] = [];
  let lateErrors = 0;
  const namespace = `soak_${Date.now().toString(36)}`;
  const processes = Array.from(
    { length: apps },
    (_, index) =>
      new AppProcess(
        index,
        { ...running.config, namespace, operationTimeoutMs: options.operationTimeoutMs },
        {
          crash: (crash) => crashes.push(crash),
          memory: (sample) => memory.push(sample),
          message: (_app, message) => {
            if (message.type === 'late-error') lateErrors += 1;
          },
        },
      ),
  );
  // A request waits on at most three store calls in a row (login: get, destroy, set), each
  // cut at the call deadline; anything slower is hanging.
  const hangThresholdMs = 3 * options.operationTimeoutMs + 1000;
  const load = options.profile === 'full' && !options.loadFromFlags && target.load ? target.load : options;
  const traffic = new Traffic(processes, {
    users: load.users,
    concurrency: load.concurrency,
    requestTimeoutMs: 2 * hangThresholdMs,
  });
  const faults = options.profile === 'short' ? running.faults.slice(0, 1) : running.faults;
  const events: FaultEvent[] = [];
  let startedAt = 0;
  try {
    // Apps start one after the other: the first creates the table or collection.
    for (const process of processes) await process.start();
    startedAt = Date.now();
    traffic.start();
    for (const [i, at] of faultTimes(runMs, faults.length).entries()) {
      await sleep(Math.max(0, startedAt + at - Date.now()));
      const fault = faults[i]!;
      const injectedAt = Date.now();
      await fault.inject();
      await sleep(fault.downMs);
      await fault.restore();
      events.push({ name: fault.name, description: fault.description, injectedAt, restoredAt: Date.now() });
    }
    await sleep(Math.max(0, startedAt + runMs - Date.now()));
    await traffic.stop();
  } finally {
    await traffic.stop();
    await Promise.all(processes.map((process) => process.stop()));
    await running.dispose();
  }
  const endedAt = startedAt + runMs;
  const { requests, losses } = traffic;
  // A loss belongs to a fault when it was acknowledged before the backend came back and found
  // missing after the fault began: a write acknowledged during a failover may be lost by it.
  const lostAfter = (loss: Loss) =>
    events.some((event) => loss.ackAt < event.restoredAt && loss.at >= event.injectedAt);
  const overall = latencyBetween(requests, startedAt, endedAt + 60_000);
  const sinceStart = (at: number) => Number(((at - startedAt) / 1000).toFixed(3));
  const nearest = (loss: Loss) => {
    const event = events.reduce<FaultEvent | undefined>(
      (best, e) => (!best || Math.abs(e.injectedAt - loss.at) < Math.abs(best.injectedAt - loss.at) ? e : best),
      undefined,
    );
    return event ? `${event.name} ${sinceStart(event.injectedAt)}–${sinceStart(event.restoredAt)} s` : 'none';
  };
  return {
    target: target.name,
    commit: gitCommit(),
    users: load.users,
    concurrency: load.concurrency,
    ...(load === target.load ? { loadWhy: target.load.why } : {}),
    server: running.server,
    apps,
    durable: target.durable,
    seconds: runMs / 1000,
    startedAt,
    requests: overall.requests,
    errors: overall.errors,
    overall,
    crashes,
    hangs: requests.filter((record) => record.ms > hangThresholdMs).length,
    hangThresholdMs,
    lost: {
      missing: losses.filter((loss) => loss.kind === 'missing').length,
      stale: losses.filter((loss) => loss.kind === 'stale').length,
      withoutFault: losses.filter((loss) => !lostAfter(loss)).length,
    },
    unattributed: losses
      .filter((loss) => !lostAfter(loss))
      .slice(0, 20)
      .map((loss) => ({
        kind: loss.kind,
        ackAtS: sinceStart(loss.ackAt),
        atS: sinceStart(loss.at),
        nearestFault: nearest(loss),
      })),
    faults: events.map((event) => faultResult(event, requests, losses)),
    memory: memoryGrowth(memory, startedAt + runMs / 5, endedAt),
    lateErrors,
    timeline: seconds(requests, memory, startedAt, endedAt),
  };
}
