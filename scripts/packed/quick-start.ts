import { readFileSync } from 'node:fs';

/** One step of a README quick start: a file to write, or a shell command to run. */
export type QuickStartStep = { kind: 'file'; name: string; content: string } | { kind: 'run'; command: string[] };

/**
 * The steps of a README's quick start, in order: each fenced block announced by
 * `<!-- quick-start: file <name> -->` is a file, each announced by `<!-- quick-start: run -->`
 * holds commands, one a line. The test runs exactly these.
 */
export function quickStartSteps(readmePath: string): QuickStartStep[] {
  const text = readFileSync(readmePath, 'utf8');
  const marked = /<!-- quick-start: (file (\S+)|run) -->\s*```\w*\n([\s\S]*?)```/g;
  const steps: QuickStartStep[] = [];
  for (const [, , name, body] of text.matchAll(marked)) {
    if (name) steps.push({ kind: 'file', name, content: body! });
    else
      for (const line of body!.split('\n').filter((line) => line.trim() !== ''))
        steps.push({ kind: 'run', command: line.trim().split(/\s+/) });
  }
  return steps;
}
