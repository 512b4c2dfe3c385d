import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows examples/my-store.test.ts, the example that runs with the tests, verbatim', () => {
    const example = readFileSync(new URL('../examples/my-store.test.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('lists every group the package exports', async () => {
    const { GROUP_NAMES } = await import('../src/case');
    for (const group of GROUP_NAMES) expect(readme).toContain(`| \`${group}\` |`);
  });
});
