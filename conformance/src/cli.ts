#!/usr/bin/env node
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GROUP_NAMES, type GroupName } from './case';

const USAGE = `Usage: session-store-conformance <factory-module> [--name <report name>] [--group <group>]...

Runs the express-session store conformance suite (vitest) against the store that
<factory-module> makes. The module exports the factory as \`default\` or \`createStore\`:
a function ({ namespace }) => store. It may also export \`capabilities\`, \`inspect\`,
\`faults\`, \`closeStore\`, \`faultTimeoutMs\`, \`callTimeoutMs\`, \`recoveryTimeoutMs\` and
\`name\` (see ConformanceOptions); or export all of it as a default options object.
Groups: ${GROUP_NAMES.join(', ')} (default: all).
Exits 0 when every test passed, 1 when one failed, 2 on bad arguments.`;

interface CliArguments {
  factory: string;
  name: string | undefined;
  groups: GroupName[];
}

function parse(argv: string[]): CliArguments | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      group: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new Error('expected exactly one factory module');
  const groups = (values.group ?? []) as string[];
  for (const group of groups) {
    if (!(GROUP_NAMES as readonly string[]).includes(group))
      throw new Error(`unknown group "${group}"; groups are ${GROUP_NAMES.join(', ')}`);
  }
  return { factory: positionals[0]!, name: values.name, groups: groups as GroupName[] };
}

/** The suite's entry next to this file: index.js when built, index.ts when run from source. */
function suiteEntry(): string {
  const here = dirname(realpathSync(process.argv[1]!));
  for (const name of ['index.js', 'index.ts']) {
    const candidate = join(here, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find the suite's index next to ${here}`);
}

/** The test file vitest runs: it imports the factory module and declares the suite. */
function testFile(factory: string, entry: string, name: string, groups: readonly GroupName[]): string {
  const runners = groups.length === 0 ? ['runConformance'] : [...groups];
  return `import * as factory from ${JSON.stringify(pathToFileURL(factory).href)};
import { ${runners.join(', ')} } from ${JSON.stringify(pathToFileURL(entry).href)};

const given = typeof factory.default === 'object' && factory.default !== null ? factory.default : factory;
const createStore = typeof given.default === 'function' ? given.default : given.createStore;
if (typeof createStore !== 'function') {
  throw new TypeError(${JSON.stringify(`${factory} must export a store factory as default or createStore`)});
}
const options = {
  name: given.name ?? ${JSON.stringify(name)},
  createStore,
  capabilities: given.capabilities,
  inspect: given.inspect,
  faults: given.faults,
  closeStore: given.closeStore,
  faultTimeoutMs: given.faultTimeoutMs,
  callTimeoutMs: given.callTimeoutMs,
  recoveryTimeoutMs: given.recoveryTimeoutMs,
};
${runners.map((runner) => `${runner}(options);`).join('\n')}
`;
}

async function main(argv: string[]): Promise<number> {
  let args: CliArguments | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`session-store-conformance: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const factory = resolve(args.factory);
  if (!existsSync(factory)) {
    console.error(`session-store-conformance: no such file: ${factory}`);
    return 2;
  }
  const directory = mkdtempSync(join(tmpdir(), 'session-store-conformance-'));
  try {
    writeFileSync(
      join(directory, 'conformance.test.mjs'),
      testFile(factory, suiteEntry(), args.name ?? basename(factory), args.groups),
    );
    const { startVitest } = await import('vitest/node');
    const vitest = await startVitest('test', [], {
      config: false,
      root: directory,
      include: ['conformance.test.mjs'],
      watch: false,
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 180_000,
    });
    await vitest.close();
    const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0;
    return failed || (process.exitCode !== undefined && process.exitCode !== 0) ? 1 : 0;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('session-store-conformance:', error);
    process.exit(1);
  },
);
