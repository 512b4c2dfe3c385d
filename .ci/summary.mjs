// Prints one plain closing line over the vitest JSON reports given as arguments:
// "tests: N passed, N failed, N skipped", with a line per report before it, and a line that
// counts the tests that ran (passed or failed) per provider, so a run that fell back from
// containers to local servers is visible. A test's provider is read from its group titles,
// which name it (`redis (container)`, `ferretdb (local)`, see backendTitle in the harness);
// tests that use no server (unit tests, SQLite) count as "no server".
// A report that is missing (its run died before writing it) fails the summary.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const PROVIDERS = ['container', 'local', 'url'];
const PROVIDER_IN_TITLE = new RegExp(`\\((${PROVIDERS.join('|')})\\)`);

function providerOf(test) {
  for (const title of test.ancestorTitles ?? []) {
    const match = PROVIDER_IN_TITLE.exec(title);
    if (match) return match[1];
  }
  return 'no server';
}

function formatCounts(counts) {
  return [...PROVIDERS, 'no server'].map((provider) => `${provider} ${counts[provider] ?? 0}`).join(', ');
}

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
const ranByProvider = {};
for (const file of process.argv.slice(2)) {
  const name = basename(file, '.json');
  if (!existsSync(file)) {
    console.log(`${name}: no report (the run ended before vitest wrote it)`);
    missing += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const skippedHere = report.numPendingTests + report.numTodoTests;
  const ranHere = {};
  for (const result of report.testResults ?? []) {
    for (const test of result.assertionResults ?? []) {
      if (test.status !== 'passed' && test.status !== 'failed') continue;
      const provider = providerOf(test);
      ranHere[provider] = (ranHere[provider] ?? 0) + 1;
      ranByProvider[provider] = (ranByProvider[provider] ?? 0) + 1;
    }
  }
  console.log(
    `${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skippedHere} skipped; ran on ${formatCounts(ranHere)}`,
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += skippedHere;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped; ran on ${formatCounts(ranByProvider)}`);
process.exit(missing > 0 || failed > 0 ? 1 : 0);
