import { readFileSync } from 'node:fs';
import { parseEndpoint, STORE_KINDS, type StoreKind, type StoreSpec } from './endpoint';
import { UsageError } from './usage-error';

/**
 * Reads a `--config` file: `{ "from": <side>, "to": <side> }`, each side either a URL string
 * (as on the command line) or `{ "store": "redis", "options": { ... } }`, whose options go to
 * that store's constructor as they are (any option the store documents, namespaces included).
 */
export function readConfigFile(path: string): { from: StoreSpec; to: StoreSpec } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the config file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new UsageError(`the config file ${path} must hold an object with "from" and "to"`);
  const unknown = Object.keys(parsed).filter((key) => key !== 'from' && key !== 'to');
  if (unknown.length > 0) throw new UsageError(`the config file ${path} has unknown keys: ${unknown.join(', ')}`);
  return { from: side(parsed.from, 'from', path), to: side(parsed.to, 'to', path) };
}

function side(value: unknown, name: 'from' | 'to', path: string): StoreSpec {
  if (typeof value === 'string') return parseEndpoint(value, {}, name);
  if (!isObject(value))
    throw new UsageError(`"${name}" in ${path} must be a URL or { "store": ..., "options": { ... } }`);
  const store = value.store;
  if (typeof store !== 'string' || !(STORE_KINDS as readonly string[]).includes(store))
    throw new UsageError(`"${name}.store" in ${path} must be one of ${STORE_KINDS.join(', ')}`);
  const options = value.options ?? {};
  if (!isObject(options)) throw new UsageError(`"${name}.options" in ${path} must be an object`);
  return { store: store as StoreKind, options, label: `${store} (${name} in ${path})` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
