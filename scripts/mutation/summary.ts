/*
 * Writes bench/results/mutation.md from Stryker's JSON report (bench/results/mutation.json):
 * the score per file and every surviving mutant, each with its explanation from
 * scripts/mutation/survivors.json. A survivor without one is listed as unexplained, and the
 * script exits non-zero, so a new survivor cannot go unnoticed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Position {
  line: number;
  column: number;
}
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: Position; end: Position };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}
interface Explanation {
  file: string;
  mutator: string;
  original: string;
  replacement: string;
  /** "equivalent": changes nothing observable; "accepted": left alive on purpose. */
  verdict: 'equivalent' | 'accepted';
  why: string;
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
// Stryker's JSON report; an interrupted run leaves only the incremental file, in the same format.
const reportPath = process.argv[2] ?? root('bench/results/mutation.json');
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
const partial = process.argv[2] !== undefined;
const explanations = JSON.parse(readFileSync(root('scripts/mutation/survivors.json'), 'utf8')) as Explanation[];

/** The source text a mutant replaces (Stryker's lines and columns are 1-based). */
function originalOf(source: string, mutant: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = mutant.location;
  if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  const first = lines[start.line - 1]!.slice(start.column - 1);
  const last = lines[end.line - 1]!.slice(0, end.column - 1);
  return [first, ...lines.slice(start.line, end.line - 1), last].join('\n');
}

const oneLine = (text: string, max = 70) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const cell = (text: string) => `\`${oneLine(text).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const rows: string[] = [];
const survivors: string[] = [];
const unexplained: string[] = [];
let detectedAll = 0;
let validAll = 0;
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const detected = mutants.filter((mutant) => DETECTED.has(mutant.status)).length;
  const undetected = mutants.filter((mutant) => UNDETECTED.has(mutant.status));
  const valid = detected + undetected.length;
  detectedAll += detected;
  validAll += valid;
  const score = valid === 0 ? 'n/a' : `${((detected / valid) * 100).toFixed(1)}%`;
  const compileErrors = mutants.filter((mutant) => mutant.status === 'CompileError').length;
  rows.push(`| ${file} | ${score} | ${detected} | ${undetected.length} | ${compileErrors} |`);
  for (const mutant of undetected) {
    const original = originalOf(source, mutant);
    const replacement = mutant.replacement ?? '';
    const found = explanations.find(
      (entry) =>
        entry.file === file &&
        entry.mutator === mutant.mutatorName &&
        oneLine(entry.original, 10_000) === oneLine(original, 10_000) &&
        oneLine(entry.replacement, 10_000) === oneLine(replacement, 10_000),
    );
    const where = `${file}:${mutant.location.start.line}`;
    if (!found) unexplained.push(`${where} ${mutant.mutatorName} ${oneLine(original)} -> ${oneLine(replacement)}`);
    survivors.push(
      `| ${where} | ${mutant.mutatorName}${mutant.status === 'NoCoverage' ? ' (no coverage)' : ''} | ${cell(original)} → ${cell(replacement)} | ${found ? `${found.verdict}: ${found.why}` : '**unexplained**'} |`,
    );
  }
}

const total = validAll === 0 ? 'n/a' : `${((detectedAll / validAll) * 100).toFixed(1)}%`;
const markdown = `# Mutation testing: the reference store and core

\`pnpm mutation\` (StrykerJS, config in \`stryker.config.mjs\`) mutates \`conformance/src/reference-store.ts\`
and \`packages/core/src\`, and runs the conformance suite against the reference store and core's
own tests against each mutant. Score = mutants detected (killed or timed out) / mutants that
compiled. Mutants the TypeScript checker rejects (compile errors) are not counted.
Regenerate this file with \`pnpm mutation\` (or \`tsx scripts/mutation/summary.ts\` from the JSON).
String literals (messages, labels) are not mutated: see \`stryker.config.mjs\`.

Reruns reuse \`bench/results/mutation-incremental.json\` for every mutant whose code and test
file did not change. The conformance cases all run from one test file,
\`conformance/test/reference-store.test.ts\`, so a change to any case retests every mutant of the
reference store; a change in core, or in one core test file, retests only what it touches.

${partial ? `**Partial run.** Made from the incremental file of an interrupted run: the mutants not tested yet are not counted.\n\n` : ''}**Overall: ${total}** (${detectedAll} of ${validAll}).

| File | Score | Detected | Survived | Compile errors |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

## Surviving mutants

Each is explained in \`scripts/mutation/survivors.json\`: *equivalent* (no observable behaviour
changes) or *accepted* (left alive on purpose, with the reason).

| Where | Mutator | Change | Explanation |
| --- | --- | --- | --- |
${survivors.join('\n')}
`;
writeFileSync(root('bench/results/mutation.md'), markdown);
console.log(
  `mutation score ${total} (${detectedAll}/${validAll}); ${survivors.length} survivors, ${unexplained.length} unexplained`,
);
for (const line of unexplained) console.log(`  unexplained: ${line}`);
if (unexplained.length > 0) process.exitCode = 1;
