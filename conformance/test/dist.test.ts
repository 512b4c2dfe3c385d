import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built output (run `pnpm build` first; `pnpm test` does).
const dist = new URL('../dist/', import.meta.url);

describe('the built package', () => {
  it('exports the suite, its groups and the reference store from the ESM entry', async () => {
    const built = (await import(new URL('index.js', dist).href)) as Record<string, unknown>;
    for (const name of [
      'runConformance',
      'requiredMethods',
      'expiry',
      'enumeration',
      'isolation',
      'errorsAndFaults',
      'dataFidelity',
      'concurrency',
      'callbacksAndPromises',
      'endToEnd',
      'sessionsByUser',
      'hardening',
      'suiteUserId',
      'runCase',
      'casesForClause',
      'ReferenceStore',
      'referenceConformanceOptions',
    ]) {
      expect(typeof built[name], name).toBe('function');
    }
    const Store = built.ReferenceStore as new () => {
      set(sid: string, session: object): Promise<void>;
      get(sid: string): Promise<unknown>;
    };
    const store = new Store();
    await store.set('built', { cookie: { expires: null }, n: 1 });
    expect(await store.get('built')).toEqual({ cookie: { expires: null }, n: 1 });
  });

  // vitest is ESM only, so the suite ships as ESM only; Node 22.12+ loads it from CommonJS
  // through require(esm). A CommonJS build would fail at vitest's own require guard.
  it('loads with require() through the package entry (require(esm))', () => {
    const require = createRequire(import.meta.url);
    const built = require(fileURLToPath(new URL('../package.json', dist)).replace(/package\.json$/, '')) as Record<
      string,
      unknown
    >;
    expect(typeof built.runConformance).toBe('function');
    expect(typeof built.ReferenceStore).toBe('function');
  });

  it('ships the CLI as an executable ESM script', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [fileURLToPath(new URL('cli.js', dist)), '--help'],
        { timeout: 60_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toMatch(/^Usage: session-store-conformance <factory-module>/);
  });
});
