// Prints one plain closing line over the vitest JSON reports given as arguments:
// "tests: N passed, N failed, N skipped", with a line per report before it.
// A report that is missing (its run died before writing it) fails the summary.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`${basename(file, '.json')}: no report (the run ended before vitest wrote it)`);
    missing += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const skippedHere = report.numPendingTests + report.numTodoTests;
  console.log(
    `${basename(file, '.json')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skippedHere} skipped`,
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += skippedHere;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(missing > 0 || failed > 0 ? 1 : 0);
