import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = existsSync(`${dist}index.js`);

// The root `pnpm test` builds first; a bare `vitest run` before any build skips with the reason.
describe.skipIf(!built)(`@session-stores/core built output${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  it('loads with require()', () => {
    const core = createRequire(import.meta.url)(`${dist}index.cjs`) as Record<string, unknown>;
    expect(typeof core.SessionStoreBase).toBe('function');
    expect(typeof core.SessionStoreError).toBe('function');
  });

  it('loads with import', async () => {
    const core = (await import(pathToFileURL(`${dist}index.js`).href)) as Record<string, unknown>;
    expect(typeof core.SessionStoreBase).toBe('function');
    expect(core.StoreErrorCode).toMatchObject({ backend: 'ERR_SESSION_STORE_BACKEND' });
  });
});
