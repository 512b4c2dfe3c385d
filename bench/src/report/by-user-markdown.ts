import type { ByUserResult } from '../results';
import { cell, count, ms, opsCell, ratio } from './format';

/**
 * The sessions-by-user figures of one backend: what the index costs set and destroy (ours with
 * `userId` against ours without, same run, same rounds), then one user's sessions listed,
 * counted and destroyed among many.
 */
export function byUserSection(result: ByUserResult): string[] {
  const lines = ['#### Sessions by user', ''];
  if (result.unavailable !== undefined) return [...lines, `Not measured: ${cell(result.unavailable)}.`, ''];
  for (const note of result.notes) lines.push(`- ${cell(note)}`);
  if (result.notes.length > 0) lines.push('');
  if (result.indexCost.length > 0) {
    lines.push(
      '| operation | with userId ops/s | without ops/s | with ÷ without (median) | range over rounds |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const row of result.indexCost) {
      const stat = row.indexedOverPlain;
      const range = stat ? `${ratio(stat.min)} – ${ratio(stat.max)}` : '—';
      lines.push(
        `| ${row.operation} c${row.concurrency} | ${opsCell(row.subjects.indexed)} | ${opsCell(row.subjects.plain)} | ${ratio(stat?.median)} | ${range} |`,
      );
    }
    lines.push('');
  }
  if (result.queries.length > 0) {
    lines.push('| call | user sessions | stored | median time | per round |', '| --- | ---: | ---: | ---: | --- |');
    for (const query of result.queries) {
      const time = query.error !== undefined ? `error: ${cell(query.error)}` : ms(query.medianMs);
      const rounds = query.perRound.map((sample) => (sample ? ms(sample.ms) : '—')).join(', ');
      lines.push(
        `| ${query.call}() | ${count(query.userSessions)} | ${count(query.totalSessions)} | ${time} | ${rounds} |`,
      );
    }
    lines.push('');
  }
  return lines;
}
