import type {
  BackendResult,
  BenchResults,
  EnumerationResult,
  Goal,
  OperationResult,
  SubjectEnumeration,
} from '../results';
import { byUserSection } from './by-user-markdown';
import { cell, count, mb, ms, opsCell, ratio } from './format';

function goalMark(goal: Goal): string {
  if (goal.met === null) return '— not measured';
  return goal.met ? '✅ met' : '❌ missed';
}

/** The time cell carries an error in full; the memory cells of that row only say so. */
function enumerationCell(
  entry: SubjectEnumeration | undefined,
  value: (entry: SubjectEnumeration) => string,
  showError = false,
): string {
  if (!entry) return '—';
  if (entry.unsupported !== undefined) return 'n/a';
  if (entry.error !== undefined) return showError ? `error: ${cell(entry.error)}` : '—';
  return value(entry);
}

function operationsTable(rows: readonly OperationResult[]): string[] {
  const lines = [
    '| operation | ours ops/s | anchor ops/s | raw ops/s | ours ÷ anchor | ours ÷ raw |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.operation} c${row.concurrency} | ${opsCell(row.subjects.ours)} | ${opsCell(row.subjects.anchor)} | ${opsCell(row.subjects.raw)} | ${ratio(row.oursOverAnchor?.median)} | ${ratio(row.oursOverRaw?.median)} |`,
    );
  }
  return lines;
}

function enumerationTable(rows: readonly EnumerationResult[]): string[] {
  const lines = [
    '| call | sessions | rounds | ours time | anchor time | raw time | speed ours ÷ anchor | speed ours ÷ raw | ours heap peak | anchor heap peak | raw heap peak | ours RSS peak | anchor RSS peak | raw RSS peak |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const kinds = ['ours', 'anchor', 'raw'] as const;
  for (const row of rows) {
    const times = kinds.map((kind) => enumerationCell(row.subjects[kind], (entry) => ms(entry.medianMs), true));
    const heaps = kinds.map((kind) => enumerationCell(row.subjects[kind], (entry) => mb(entry.medianHeapPeakMB)));
    const rss = kinds.map((kind) => enumerationCell(row.subjects[kind], (entry) => mb(entry.medianRssPeakMB)));
    const rounds = row.subjects.ours?.perRound.length ?? '—';
    lines.push(
      `| ${row.operation}() | ${count(row.size)} | ${rounds} | ${times.join(' | ')} | ${ratio(row.speedOursOverAnchor?.median)} | ${ratio(row.speedOursOverRaw?.median)} | ${heaps.join(' | ')} | ${rss.join(' | ')} |`,
    );
  }
  const notes = new Set<string>();
  for (const row of rows) {
    for (const [kind, entry] of Object.entries(row.subjects))
      if (entry.unsupported !== undefined) notes.add(`${kind}: ${entry.unsupported}`);
  }
  if (notes.size > 0) lines.push('', ...[...notes].map((note) => `n/a — ${note}.`));
  return lines;
}

function backendSection(backend: BackendResult): string[] {
  const lines = [`### ${backend.backend}`, ''];
  lines.push(`- status: **${backend.status}**${backend.server ? `; server: ${backend.server}` : ''}`);
  lines.push(`- ours: ${backend.labels.ours}; anchor: ${backend.labels.anchor}; raw: ${backend.labels.raw}`);
  for (const note of backend.notes) lines.push(`- ${cell(note)}`);
  lines.push('');
  if (backend.operations.length > 0) lines.push(...operationsTable(backend.operations), '');
  if (backend.enumeration.length > 0) lines.push(...enumerationTable(backend.enumeration), '');
  const e2e = backend.endToEnd;
  if (e2e) {
    const rps = (kind: 'ours' | 'anchor') => {
      const entry = e2e.subjects[kind];
      if (!entry) return '—';
      return entry.error !== undefined
        ? `error: ${cell(entry.error)}`
        : `${count(entry.medianRequestsPerSec)} req/s (p99 ${ms(entry.medianLatencyP99Ms)})`;
    };
    lines.push(
      `End to end (Express, express-session, autocannon): ours ${rps('ours')}, anchor ${rps('anchor')}; ours ÷ anchor ${ratio(e2e.oursOverAnchor?.median)}.`,
      '',
    );
  }
  if (backend.byUser) lines.push(...byUserSection(backend.byUser));
  return lines;
}

/**
 * The human-readable report: run conditions, goals met or missed, then every figure per backend.
 * `benchReadme` is the link to bench/README.md from where the report is written (`--out`).
 */
export function renderMarkdown(results: BenchResults, benchReadme = '../README.md'): string {
  const { meta } = results;
  const options = meta.options as {
    rounds?: number;
    enumerationRounds?: number;
    largeEnumerationRounds?: number;
    quick?: boolean;
    e2eSeconds?: number;
    opsAtConcurrency64?: number;
    opsAtConcurrency1?: number;
    maxMsPerMeasurement?: number;
    enumerationSizes?: number[];
  };
  const lines: string[] = ['# Benchmark results', ''];
  lines.push(
    `Run ${meta.startedAt}${meta.commit ? ` at commit ${meta.commit}` : ''}, ${Math.round(meta.durationMs / 1000)} s${options.quick ? ' (**--quick** smoke run: small sizes, one round; not for conclusions)' : ''}.`,
    `Machine: ${meta.cpuCount} × ${meta.cpus}, ${meta.memoryGB} GB, ${meta.platform}, Node ${meta.node}.`,
    `Load before: \`${meta.uptimeBefore}\`; after: \`${meta.uptimeAfter}\`.`,
    `Rounds: ${options.rounds} interleaved for operations and end to end, ${options.enumerationRounds} for all()/length()/iterate() (${options.largeEnumerationRounds ?? options.enumerationRounds} from 1,000,000 sessions); medians reported. ` +
      `Each operation figure: up to ${count(options.opsAtConcurrency1)} ops at concurrency 1 and ${count(options.opsAtConcurrency64)} at 64, at most ${count(options.maxMsPerMeasurement)} ms. ` +
      `Sessions: ${meta.sessionBytes} bytes of JSON with an express-session Cookie. End to end: ${options.e2eSeconds} s of autocannon per store and round.`,
    '',
    'Ratios are the median of per-round ratios (both sides measured in the same round); above 1 means ours is faster. ' +
      `Only ratios from the same run mean anything: the machine is shared and noisy. See [bench/README.md](${benchReadme}).`,
    '',
    '![ours ÷ anchor and ours ÷ raw per backend and operation](latest.svg)',
    '',
  );

  const measured = results.goals.filter((goal) => goal.met !== null);
  const met = measured.filter((goal) => goal.met).length;
  lines.push(
    '## Goals',
    '',
    `${met} of ${measured.length} measured goals met; ${results.goals.length - measured.length} not measured.`,
    '',
  );
  lines.push(
    '| goal | backend | measurement | ratio or figure (median) | range over rounds | result |',
    '| --- | --- | --- | ---: | ---: | --- |',
  );
  for (const goal of results.goals) {
    // The heap goal's figure is megabytes, not a ratio.
    const figure = goal.direction === 'below' ? mb : ratio;
    const range = goal.range ? `${figure(goal.range[0])} – ${figure(goal.range[1])}` : '—';
    lines.push(
      `| ${cell(goal.kind)} | ${goal.backend} | ${goal.measurement} | ${figure(goal.ratio)} | ${range} | ${goalMark(goal)} |`,
    );
  }
  lines.push('');

  const notMeasured = results.backends.filter((backend) => backend.status === 'not measured');
  if (notMeasured.length > 0) {
    lines.push('Not measured:', '');
    for (const backend of notMeasured)
      lines.push(`- ${backend.backend}: ${cell(backend.notes.join('; ') || 'no reason recorded')}`);
    lines.push('');
  }

  lines.push('## Figures per backend', '');
  for (const backend of results.backends) lines.push(...backendSection(backend));
  return `${lines.join('\n').trimEnd()}\n`;
}
