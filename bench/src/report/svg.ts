import type { BackendResult, BenchResults, RatioStat } from '../results';
import { ratio as formatRatio } from './format';

interface Bar {
  series: 'anchor' | 'raw';
  value: number | null;
}

interface Group {
  label: string;
  bars: Bar[];
}

const COLORS = { anchor: '#2f6fb5', raw: '#e08a1e' } as const;
const LEGEND = { anchor: 'ours ÷ anchor', raw: 'ours ÷ raw driver' } as const;

const WIDTH = 900;
const PANEL_HEIGHT = 270;
const PLOT_LEFT = 64;
const PLOT_RIGHT = 16;
const PLOT_TOP = 34;
const PLOT_HEIGHT = 160;
const BAR_WIDTH = 14;

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const median = (stat: RatioStat | null | undefined) => stat?.median ?? null;

function groupsOf(backend: BackendResult): Group[] {
  const groups: Group[] = [];
  for (const row of backend.operations) {
    groups.push({
      label: `${row.operation} c${row.concurrency}`,
      bars: [
        { series: 'anchor', value: median(row.oursOverAnchor) },
        { series: 'raw', value: median(row.oursOverRaw) },
      ],
    });
  }
  for (const row of backend.enumeration) {
    // A bar for each side that has the call: the anchor lacks it on some backends, raw on memcached.
    const bars: Bar[] = [];
    if (row.subjects.anchor?.unsupported === undefined)
      bars.push({ series: 'anchor', value: median(row.speedOursOverAnchor) });
    if (row.subjects.raw?.unsupported === undefined) bars.push({ series: 'raw', value: median(row.speedOursOverRaw) });
    if (bars.length === 0) continue;
    const size = row.size >= 1000 ? `${row.size / 1000}k` : String(row.size);
    groups.push({ label: `${row.operation} ${size}`, bars });
  }
  if (backend.endToEnd)
    groups.push({ label: 'end to end', bars: [{ series: 'anchor', value: median(backend.endToEnd.oursOverAnchor) }] });
  return groups;
}

/** Decade-aligned bounds of a log axis holding every value, 1 and the goal lines. */
function axisBounds(values: number[]): [number, number] {
  const finite = values.filter((value) => Number.isFinite(value) && value > 0);
  const low = Math.min(0.5, ...finite);
  const high = Math.max(2, ...finite);
  return [Math.floor(Math.log10(low)), Math.ceil(Math.log10(high))];
}

function ticks(lowExp: number, highExp: number): number[] {
  const values: number[] = [];
  for (let exp = lowExp; exp <= highExp; exp++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** exp;
      if (value <= 10 ** highExp * 1.0001) values.push(value);
    }
  }
  return values;
}

function tickLabel(value: number): string {
  return value >= 1 ? `${Number(value.toPrecision(3))}×` : `${Number(value.toPrecision(2))}×`;
}

/**
 * A grouped bar chart of the run's ratios, one panel per backend, on a shared log scale: bars
 * grow up from 1× when ours is faster and down when it is slower. Dashed lines mark the goals
 * (0.9× raw; 20× the anchor for SQLite writes). Written by hand: no chart library.
 */
export function renderSvg(results: BenchResults): string {
  const panels = results.backends.map((backend) => ({ backend, groups: groupsOf(backend) }));
  const allValues = panels.flatMap((panel) =>
    panel.groups.flatMap((group) => group.bars.map((bar) => bar.value ?? NaN)),
  );
  const [lowExp, highExp] = axisBounds([...allValues, 20]);
  const logLow = lowExp;
  const logHigh = highExp;
  const y = (value: number) => PLOT_TOP + ((logHigh - Math.log10(value)) / (logHigh - logLow)) * PLOT_HEIGHT;
  const clamp = (value: number) => Math.min(Math.max(value, 10 ** logLow), 10 ** logHigh);

  const height = 56 + panels.length * PANEL_HEIGHT;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PLOT_LEFT}" y="22" font-size="14" font-weight="bold">Ours ÷ anchor store and ours ÷ raw driver: throughput ratios, log scale (above 1× = ours faster)</text>`,
  );
  // Legend
  let legendX = PLOT_LEFT;
  for (const series of ['anchor', 'raw'] as const) {
    out.push(
      `<rect x="${legendX}" y="32" width="12" height="12" fill="${COLORS[series]}"/>`,
      `<text x="${legendX + 16}" y="42">${escapeXml(LEGEND[series])}</text>`,
    );
    legendX += 150;
  }
  out.push(
    `<line x1="${legendX}" y1="38" x2="${legendX + 24}" y2="38" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    `<text x="${legendX + 28}" y="42">goal line</text>`,
  );
  const meta = results.meta;
  out.push(
    `<text x="${WIDTH - PLOT_RIGHT}" y="42" text-anchor="end" fill="#666">${escapeXml(`${meta.startedAt.slice(0, 10)} · ${meta.cpuCount} cores · medians of per-round ratios`)}</text>`,
  );

  panels.forEach(({ backend, groups }, index) => {
    const top = 56 + index * PANEL_HEIGHT;
    out.push(`<g transform="translate(0 ${top})">`);
    out.push(
      `<text x="${PLOT_LEFT}" y="18" font-size="13" font-weight="bold">${escapeXml(`${backend.backend}`)}<tspan dx="8" font-weight="normal" fill="#666">${escapeXml(`${backend.labels.ours} vs ${backend.labels.anchor}`)}</tspan></text>`,
    );
    if (groups.length === 0) {
      const reason = backend.notes[0] ?? backend.status;
      out.push(
        `<text x="${PLOT_LEFT}" y="${PLOT_TOP + 40}" fill="#999">${escapeXml(`not measured: ${reason}`.slice(0, 140))}</text>`,
        '</g>',
      );
      return;
    }
    const plotWidth = WIDTH - PLOT_LEFT - PLOT_RIGHT;
    // Grid and axis
    for (const tick of ticks(logLow, logHigh)) {
      const ty = y(tick);
      const major = Math.abs(Math.log10(tick) - Math.round(Math.log10(tick))) < 1e-9;
      out.push(
        `<line x1="${PLOT_LEFT}" y1="${ty.toFixed(1)}" x2="${PLOT_LEFT + plotWidth}" y2="${ty.toFixed(1)}" stroke="${tick === 1 ? '#333' : major ? '#ccc' : '#eee'}"/>`,
      );
      if (major || logHigh - logLow <= 2)
        out.push(
          `<text x="${PLOT_LEFT - 6}" y="${(ty + 4).toFixed(1)}" text-anchor="end" fill="#555">${tickLabel(tick)}</text>`,
        );
    }
    const goalLines: { value: number; label: string }[] = [{ value: 0.9, label: '0.9× raw' }];
    if (backend.backend === 'sqlite') goalLines.push({ value: 20, label: '20× anchor (writes)' });
    for (const line of goalLines) {
      const ly = y(line.value);
      out.push(
        `<line x1="${PLOT_LEFT}" y1="${ly.toFixed(1)}" x2="${PLOT_LEFT + plotWidth}" y2="${ly.toFixed(1)}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
        `<text x="${PLOT_LEFT + plotWidth}" y="${(ly - 3).toFixed(1)}" text-anchor="end" fill="#c0392b" font-size="10">${escapeXml(line.label)}</text>`,
      );
    }
    const slot = plotWidth / groups.length;
    groups.forEach((group, groupIndex) => {
      const center = PLOT_LEFT + slot * (groupIndex + 0.5);
      const barsWidth = group.bars.length * BAR_WIDTH + (group.bars.length - 1) * 2;
      group.bars.forEach((bar, barIndex) => {
        const x = center - barsWidth / 2 + barIndex * (BAR_WIDTH + 2);
        if (bar.value === null || !(bar.value > 0)) {
          out.push(
            `<text x="${(x + BAR_WIDTH / 2).toFixed(1)}" y="${(y(1) - 3).toFixed(1)}" text-anchor="middle" fill="#aaa" font-size="9">–</text>`,
          );
          return;
        }
        const base = y(1);
        const tip = y(clamp(bar.value));
        const yTop = Math.min(base, tip);
        const barHeight = Math.max(1, Math.abs(base - tip));
        // The value, written vertically just past the bar's tip.
        const above = bar.value >= 1;
        const labelY = above ? yTop - 3 : yTop + barHeight + 3;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${yTop.toFixed(1)}" width="${BAR_WIDTH}" height="${barHeight.toFixed(1)}" fill="${COLORS[bar.series]}"><title>${escapeXml(`${backend.backend} ${group.label}: ${LEGEND[bar.series]} = ${formatRatio(bar.value)}`)}</title></rect>`,
          `<text transform="translate(${(x + BAR_WIDTH / 2 + 3).toFixed(1)} ${labelY.toFixed(1)}) rotate(-90)" text-anchor="${above ? 'start' : 'end'}" font-size="9" fill="#222">${escapeXml(formatRatio(bar.value))}</text>`,
        );
      });
      const labelY = PLOT_TOP + PLOT_HEIGHT + 12;
      out.push(
        `<text transform="translate(${center.toFixed(1)} ${labelY}) rotate(-35)" text-anchor="end" fill="#333">${escapeXml(group.label)}</text>`,
      );
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
