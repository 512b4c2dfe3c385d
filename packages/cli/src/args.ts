import { parseArgs } from 'node:util';
import { readConfigFile } from './config-file';
import { parseEndpoint, SUPPORTED_FORMS, type StoreSpec } from './endpoint';
import { UsageError } from './usage-error';

export const USAGE = `Usage:
  session-stores copy <from> <to> [options]
  session-stores copy --config <file.json> [options]

Copies every live session from one store to another with its remaining lifetime.
<from> and <to>: ${SUPPORTED_FORMS}.

Options:
  --from-prefix, --to-prefix           key prefix (redis, memcached)
  --from-table, --to-table             table (postgres: [schema.]table; sqlite)
  --from-collection, --to-collection   collection (mongo)
  --config <file.json>                 {"from": <URL or {"store", "options"}>, "to": ...}
  --page-size <n>                      sessions per page (default 500)
  --help                               this text

Exit status: 0 copied and checked, 1 the copy or its check failed, 2 bad arguments.`;

export type Command = { kind: 'help' } | { kind: 'copy'; from: StoreSpec; to: StoreSpec; pageSize: number | undefined };

const SIDES = ['from', 'to'] as const;
const NAMESPACES = ['prefix', 'table', 'collection'] as const;

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        'page-size': { type: 'string' },
        ...Object.fromEntries(
          SIDES.flatMap((side) => NAMESPACES.map((ns) => [`${side}-${ns}`, { type: 'string' as const }])),
        ),
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, ...sides] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (command !== 'copy') throw new UsageError(`unknown command "${command}"; the command is "copy"`);
  const pageSize = pageSizeOf(values['page-size'] as string | undefined);
  const flag = (side: string, ns: string) => values[`${side}-${ns}` as keyof typeof values] as string | undefined;
  if (values.config !== undefined) {
    if (sides.length > 0) throw new UsageError('give either <from> <to> or --config, not both');
    const namespaceFlag = SIDES.flatMap((side) => NAMESPACES.map((ns) => `${side}-${ns}`)).find(
      (name) => flag(name.split('-')[0]!, name.split('-')[1]!) !== undefined,
    );
    if (namespaceFlag)
      throw new UsageError(`--${namespaceFlag} does not apply with --config; set it in the file's options`);
    return { kind: 'copy', ...readConfigFile(values.config as string), pageSize };
  }
  if (sides.length !== 2) throw new UsageError(`copy takes two stores, <from> and <to>; got ${sides.length}`);
  const [from, to] = SIDES.map((side, index) =>
    parseEndpoint(
      sides[index]!,
      { prefix: flag(side, 'prefix'), table: flag(side, 'table'), collection: flag(side, 'collection') },
      side,
    ),
  );
  return { kind: 'copy', from: from!, to: to!, pageSize };
}

function pageSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 100_000)
    throw new UsageError(`--page-size must be a whole number from 1 to 100000, got "${text}"`);
  return value;
}
