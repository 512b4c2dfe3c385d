/*
 * Writes bench/results/mutation.md from Stryker's JSON report (bench/results/mutation.json):
 * the score per file, every surviving mutant, each with its explanation from
 * scripts/mutation/survivors.json, and every mutant a `// Stryker disable` comment left out, with
 * the reason the comment gives. A survivor without an explanation, or a disable comment without
 * a reason, is listed as unexplained, and the script exits non-zero, so neither goes unnoticed.
 *
 *   tsx scripts/mutation/summary.ts                       the last full run
 *   tsx scripts/mutation/summary.ts <incremental.json>    an interrupted run (marked partial)
 *   --report <json>, --out <md>                           other paths (a helper's scoped run)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Position {
  line: number;
  column: number;
}
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
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
const { values: args, positionals } = parseArgs({
  options: { report: { type: 'string' }, out: { type: 'string' } },
  allowPositionals: true,
});
// Stryker's JSON report; an interrupted run leaves only the incremental file, in the same format.
const partial = positionals[0] !== undefined;
const reportPath = positionals[0] ?? args.report ?? root('bench/results/mutation.json');
const outPath = args.out ?? root('bench/results/mutation.md');
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
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
/**
 * Mutants Stryker leaves out by configuration (stryker.config.mjs: excluded mutators, static
 * code) rather than by a comment in the code: counted apart, never as survivors.
 */
const CONFIG_IGNORED = [/^Ignored because of excluded mutation/, /^Static mutant/];
/** What Stryker records for a disable comment that gives no reason. */
const NO_REASON = 'Ignored using a comment';
const disabledByComment = (mutant: Mutant) =>
  mutant.status === 'Ignored' && !CONFIG_IGNORED.some((pattern) => pattern.test(mutant.statusReason ?? ''));
const percent = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((part / whole) * 100).toFixed(1)}%`);

const rows: string[] = [];
const survivors: string[] = [];
const disabledRows: string[] = [];
const unexplained: string[] = [];
let detectedAll = 0;
let validAll = 0;
let disabledAll = 0;
let configIgnoredAll = 0;
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const detected = mutants.filter((mutant) => DETECTED.has(mutant.status)).length;
  const undetected = mutants.filter((mutant) => UNDETECTED.has(mutant.status));
  const disabled = mutants.filter(disabledByComment);
  const valid = detected + undetected.length;
  detectedAll += detected;
  validAll += valid;
  disabledAll += disabled.length;
  configIgnoredAll += mutants.filter((mutant) => mutant.status === 'Ignored').length - disabled.length;
  const compileErrors = mutants.filter((mutant) => mutant.status === 'CompileError').length;
  rows.push(
    `| ${file} | ${percent(detected, valid)} | ${percent(detected, valid + disabled.length)} | ${detected} | ${undetected.length} | ${disabled.length} | ${compileErrors} |`,
  );
  for (const mutant of disabled) {
    const where = `${file}:${mutant.location.start.line}`;
    const reason = mutant.statusReason ?? NO_REASON;
    const change = `${cell(originalOf(source, mutant))} → ${cell(mutant.replacement ?? '')}`;
    if (reason === NO_REASON) unexplained.push(`${where} ${mutant.mutatorName}: a disable comment without a reason`);
    disabledRows.push(
      `| ${where} | ${mutant.mutatorName} | ${change} | ${reason === NO_REASON ? '**no reason given**' : reason.replace(/\|/g, '\\|')} |`,
    );
  }
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

const table = (last: string, lines: string[]) =>
  lines.length === 0
    ? 'None.'
    : [`| Where | Mutator | Change | ${last} |`, '| --- | --- | --- | --- |', ...lines].join('\n');
const total = percent(detectedAll, validAll);
const totalWithDisabled = percent(detectedAll, validAll + disabledAll);
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

A mutant that changes nothing observable can be marked where it is made, with a comment naming
the mutator and saying why: \`// Stryker disable next-line <Mutator>: equivalent, <why>\`. Stryker
then leaves it out of its score; the second score below counts each such mutant as a survivor,
so that marking one never raises the score it is judged by. They are listed with their reasons
under "Mutants disabled by comments".

${partial ? `**Partial run.** Made from the incremental file of an interrupted run: the mutants not tested yet are not counted.\n\n` : ''}**Overall: ${total}** as Stryker counts (${detectedAll} of ${validAll}; the ${disabledAll} mutants disabled by comments left out), **${totalWithDisabled}** counting them as survivors (${detectedAll} of ${validAll + disabledAll}). ${configIgnoredAll} more were left out by the configuration (string literals, code run once at load).

| File | Score | Counting disabled | Detected | Survived | Disabled | Compile errors |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

## Surviving mutants

Each is explained in \`scripts/mutation/survivors.json\`: *equivalent* (no observable behaviour
changes) or *accepted* (left alive on purpose, with the reason).

${table('Explanation', survivors)}

## Mutants disabled by comments

Each has a \`// Stryker disable\` comment at its line in the code, with the reason shown here.

${table('Reason', disabledRows)}
`;
writeFileSync(outPath, markdown);
console.log(
  `mutation score ${total} (${detectedAll}/${validAll}), ${totalWithDisabled} counting the disabled as survivors; ${survivors.length} survivors, ${disabledAll} disabled by comments, ${unexplained.length} unexplained`,
);
for (const line of unexplained) console.log(`  unexplained: ${line}`);
if (unexplained.length > 0) process.exitCode = 1;
