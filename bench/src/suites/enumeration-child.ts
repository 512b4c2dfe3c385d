import { performance } from 'node:perf_hooks';
import { backendDefinitions } from '../backends/index';
import { JOB_VARIABLE } from '../child';
import { describeError } from '../load';
import type { EnumerationOperation, EnumerationSample } from '../results';
import type { BackendName, ServerInfo, SubjectKind } from '../subject';

export interface EnumerationJob {
  backend: BackendName;
  kind: SubjectKind;
  server: ServerInfo;
  namespace: string;
  operations: EnumerationOperation[];
}

export type EnumerationReply =
  | {
      ok: true;
      samples: Partial<Record<EnumerationOperation, EnumerationSample>>;
      errors: Partial<Record<EnumerationOperation, string>>;
    }
  | { ok: false; error: string };

const MB = 2 ** 20;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/**
 * Runs in a fresh process, so each figure starts from a quiet heap: times all()/length()/iterate() and
 * tracks the heap and RSS above their level before the call. The heap is sampled every 5 ms
 * while the event loop turns and once after the call with the result still held; RSS also
 * takes the kernel's peak (maxRSS) into account when the call raised it.
 */
// iterate() holds nothing of what it hands out: its heap figure is sampled after a collection
// every ITERATE_CHECKPOINT sessions (see Subject.iterate), the memory the walk itself keeps.
async function main(): Promise<EnumerationReply> {
  const job = JSON.parse(process.env[JOB_VARIABLE] ?? '{}') as EnumerationJob;
  const definition = backendDefinitions[job.backend];
  if (!definition) return { ok: false, error: `unknown backend ${job.backend}` };
  const subject = await definition.createSubject(job.kind, { server: job.server, namespace: job.namespace });
  const samples: Partial<Record<EnumerationOperation, EnumerationSample>> = {};
  const errors: Partial<Record<EnumerationOperation, string>> = {};
  try {
    for (const operation of job.operations) {
      if (!subject[operation]) return { ok: false, error: `${subject.label} has no ${operation}()` };
      // A turn of the event loop first: the previous call's promises still hold its result until then.
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      const before = process.memoryUsage();
      // The kernel's peak (maxRSS) can start out above the current RSS: a forked child inherits
      // its parent's high-water mark. It counts only when the call raises it.
      const kernelPeakBefore = process.resourceUsage().maxRSS * 1024;
      let heapPeak = before.heapUsed;
      let rssPeak = before.rss;
      const sample = (heap = true) => {
        const now = process.memoryUsage();
        if (heap) heapPeak = Math.max(heapPeak, now.heapUsed);
        rssPeak = Math.max(rssPeak, now.rss);
      };
      // iterate()'s heap is sampled only right after a collection (at its checkpoints).
      const sampler = setInterval(() => sample(operation !== 'iterate'), 5);
      const started = performance.now();
      let value: unknown;
      try {
        value =
          operation === 'iterate'
            ? await subject.iterate!(() => {
                collectGarbage();
                sample();
              })
            : await subject[operation]!();
      } catch (error) {
        // One call failing does not keep the other from being measured.
        errors[operation] = describeError(error);
        continue;
      } finally {
        clearInterval(sampler);
      }
      const ms = performance.now() - started;
      if (operation === 'iterate') collectGarbage();
      sample();
      const kernelPeakAfter = process.resourceUsage().maxRSS * 1024;
      if (kernelPeakAfter > kernelPeakBefore) rssPeak = Math.max(rssPeak, kernelPeakAfter);
      const count = Array.isArray(value) ? value.length : Number(value);
      value = null;
      samples[operation] = {
        ms: Math.round(ms * 10) / 10,
        count,
        heapPeakMB: Math.round(((heapPeak - before.heapUsed) / MB) * 10) / 10,
        rssPeakMB: Math.round(((rssPeak - before.rss) / MB) * 10) / 10,
      };
    }
  } finally {
    await subject.close().catch(() => undefined);
  }
  return { ok: true, samples, errors };
}

main().then(
  (reply) => process.send!(reply, () => process.exit(0)),
  (error: unknown) =>
    process.send!({ ok: false, error: describeError(error) } satisfies EnumerationReply, () => process.exit(0)),
);
