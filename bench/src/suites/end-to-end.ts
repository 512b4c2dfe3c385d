import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { forkBenchChild, firstMessage, stderrOf, stopChild } from '../child';
import { describeError } from '../load';
import type { BenchOptions } from '../options';
import { ratioStat, type EndToEndResult, type EndToEndSample, type SubjectEndToEnd } from '../results';
import { median, rotate } from '../stats';
import type { BackendDefinition, RunningServer } from '../subject';
import type { AppJob, AppReply } from './app-child';
import type { Log } from './operations';

const require = createRequire(import.meta.url);

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = require('autocannon') as Autocannon;

/** Sessions the load spreads over: each request carries one of these cookies, in turn. */
const LOGGED_IN_CLIENTS = 256;

interface RunningApp {
  kind: 'ours' | 'anchor';
  child: ChildProcess;
  url: string;
  cookies: string[];
}

/**
 * Requests per second of the same Express app on ours and on the anchor, under autocannon on
 * 127.0.0.1. Both apps run for the whole suite in their own processes; rounds alternate
 * between them, each a fixed duration.
 */
export async function runEndToEndSuite(
  definition: BackendDefinition,
  server: RunningServer,
  options: BenchOptions,
  log: Log,
): Promise<EndToEndResult> {
  const subjects: Partial<Record<'ours' | 'anchor', SubjectEndToEnd>> = {};
  const apps: RunningApp[] = [];
  try {
    for (const kind of ['ours', 'anchor'] as const) {
      const entry: SubjectEndToEnd = {
        perRound: Array<null>(options.rounds).fill(null),
        medianRequestsPerSec: null,
        medianLatencyP99Ms: null,
      };
      subjects[kind] = entry;
      try {
        const app = await startApp({ backend: definition.name, kind, server: server.info, namespace: 'e2e' });
        apps.push(app);
        // Warm-up: JIT, connection pools, the first writes of every session.
        await load(app, options, 1);
      } catch (error) {
        entry.error = describeError(error);
        log(`  ${kind}: ${entry.error}`);
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const app of rotate(apps, round)) {
        const entry = subjects[app.kind]!;
        if (entry.error !== undefined) continue;
        try {
          const sample = await load(app, options, options.e2eSeconds);
          entry.perRound[round] = sample;
          if (sample.errors > 0 || sample.non2xx > 0) {
            const cause = await fetch(`${app.url}/bench/first-error`)
              .then((response) => response.text())
              .catch(() => '');
            entry.error ??= `${sample.errors} connection errors, ${sample.non2xx} non-2xx responses${cause ? `; first error: ${cause}` : ''}`;
          }
          log(
            `  round ${round + 1}/${options.rounds} ${app.kind}: ${Math.round(sample.requestsPerSec)} req/s, p99 ${sample.latencyP99Ms} ms`,
          );
        } catch (error) {
          entry.error ??= describeError(error);
        }
      }
    }
  } finally {
    for (const app of apps) await stopChild(app.child);
  }
  for (const entry of Object.values(subjects)) {
    if (entry.error !== undefined) continue;
    const rps = median(entry.perRound.map((sample) => sample?.requestsPerSec));
    entry.medianRequestsPerSec = rps === null ? null : Math.round(rps);
    entry.medianLatencyP99Ms = median(entry.perRound.map((sample) => sample?.latencyP99Ms));
  }
  const series = (kind: 'ours' | 'anchor') =>
    subjects[kind]?.error === undefined
      ? (subjects[kind]?.perRound ?? []).map((sample) => sample?.requestsPerSec ?? null)
      : [];
  return { subjects, oursOverAnchor: ratioStat(series('ours'), series('anchor')) };
}

async function startApp(job: AppJob): Promise<RunningApp> {
  const child = forkBenchChild(new URL('./app-child.ts', import.meta.url), job);
  const stderr = stderrOf(child);
  try {
    const reply = await firstMessage<AppReply>(child, 60_000, stderr);
    if (!reply.ok) throw new Error(reply.error);
    const url = `http://127.0.0.1:${reply.port}`;
    const cookies: string[] = [];
    for (let index = 0; index < LOGGED_IN_CLIENTS; index++) {
      const response = await fetch(`${url}/login`, { signal: AbortSignal.timeout(10_000) });
      const cookie = response.headers.get('set-cookie')?.split(';')[0];
      await response.text();
      if (!response.ok || !cookie)
        throw new Error(`/login answered ${response.status}${cookie ? '' : ' without a cookie'}`);
      cookies.push(cookie);
    }
    return { kind: job.kind, child, url, cookies };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function load(app: RunningApp, options: BenchOptions, seconds: number): Promise<EndToEndSample> {
  let next = 0;
  const result = await autocannon({
    url: app.url,
    connections: options.e2eConnections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: '/',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, cookie: app.cookies[next++ % app.cookies.length]! },
        }),
      },
    ],
  });
  return {
    requestsPerSec: Math.round((result.requests.total / Math.max(result.duration, 0.001)) * 10) / 10,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
