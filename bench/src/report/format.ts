import type { SubjectOps } from '../results';

/** 12345.6 -> "12,346"; null -> "—". */
export function count(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

/**
 * A ratio as "1.23×", rounded down, so that a ratio just under a goal's threshold never reads
 * as the threshold itself (0.997 is "0.99×", not "1.00×"); null -> "—".
 */
export function ratio(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const digits = value >= 10 ? 1 : 2;
  const scale = 10 ** digits;
  return `${(Math.floor(value * scale + 1e-9) / scale).toFixed(digits)}×`;
}

export function ms(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return value >= 100 ? `${Math.round(value).toLocaleString('en-US')} ms` : `${value.toFixed(1)} ms`;
}

export function mb(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(1)} MB` : '—';
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** A median ops/s figure, or the error that stopped it. */
export function opsCell(entry: SubjectOps | undefined): string {
  if (!entry) return '—';
  if (entry.error !== undefined) return `error: ${cell(entry.error)}`;
  return count(entry.medianOpsPerSec);
}
