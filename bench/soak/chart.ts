import type { RunResult } from './soak-run';

const WIDTH = 900;
const PANEL = 150;
const GAP = 46;
const LEFT = 60;
const RIGHT = 60;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One panel per run: successful requests per second (green), failed ones (red), the apps' RSS
 * (blue, right axis), and each fault as a grey band from injection to the backend's return.
 */
export function soakChart(runs: readonly RunResult[]): string {
  const height = runs.length * (PANEL + GAP) + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="16" font-size="12"><tspan fill="#2a9d4b">■ requests/s answered</tspan>  <tspan fill="#d62828">■ requests/s failed</tspan>  <tspan fill="#1d4ed8">— RSS of the apps (MB)</tspan>  <tspan fill="#999">▮ fault</tspan></text>`,
  ];
  runs.forEach((run, index) => {
    const top = 30 + index * (PANEL + GAP) + 18;
    const plotWidth = WIDTH - LEFT - RIGHT;
    const seconds = Math.max(1, run.timeline.length);
    const x = (t: number) => LEFT + (t / seconds) * plotWidth;
    const maxRate = Math.max(1, ...run.timeline.map((s) => s.ok + s.errors));
    const y = (rate: number) => top + PANEL - (rate / maxRate) * PANEL;
    const rss = run.timeline.flatMap((s) => (s.rssMb === null ? [] : [s.rssMb]));
    const maxRss = Math.max(1, ...rss) * 1.1;
    const yRss = (mb: number) => top + PANEL - (mb / maxRss) * PANEL;
    parts.push(
      `<text x="${LEFT}" y="${top - 6}" font-size="12" font-weight="bold">${escape(`${run.target}, ${run.apps} app${run.apps > 1 ? 's' : ''} (${run.server})`)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#ccc"/>`,
    );
    for (const fault of run.faults) {
      const from = (fault.injectedAt - run.startedAt) / 1000;
      const to = Math.max(from + 0.5, (fault.restoredAt - run.startedAt) / 1000);
      parts.push(
        `<rect x="${x(from).toFixed(1)}" y="${top}" width="${(x(to) - x(from)).toFixed(1)}" height="${PANEL}" fill="#999" fill-opacity="0.25"/>`,
        `<text x="${x(from).toFixed(1)}" y="${top + 11}" fill="#555">${escape(fault.name)}</text>`,
      );
    }
    const line = (points: Array<[number, number]>) =>
      points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${line(run.timeline.map((s) => [x(s.t + 0.5), y(s.ok)]))}" fill="none" stroke="#2a9d4b" stroke-width="1.5"/>`,
      ...run.timeline
        .filter((s) => s.errors > 0)
        .map(
          (s) =>
            `<rect x="${x(s.t).toFixed(1)}" y="${y(s.errors).toFixed(1)}" width="${Math.max(1, plotWidth / seconds - 1).toFixed(1)}" height="${(top + PANEL - y(s.errors)).toFixed(1)}" fill="#d62828" fill-opacity="0.6"/>`,
        ),
      `<path d="${line(run.timeline.filter((s) => s.rssMb !== null).map((s) => [x(s.t + 0.5), yRss(s.rssMb!)]))}" fill="none" stroke="#1d4ed8" stroke-width="1.2"/>`,
      `<text x="${LEFT - 6}" y="${top + 4}" text-anchor="end">${maxRate}</text>`,
      `<text x="${LEFT - 6}" y="${top + PANEL}" text-anchor="end">0</text>`,
      `<text x="${WIDTH - RIGHT + 6}" y="${top + 4}" fill="#1d4ed8">${maxRss.toFixed(0)} MB</text>`,
      `<text x="${WIDTH - RIGHT + 6}" y="${top + PANEL}" fill="#1d4ed8">0</text>`,
      `<text x="${LEFT + plotWidth}" y="${top + PANEL + 14}" text-anchor="end">${seconds} s</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
