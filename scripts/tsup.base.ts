import { defineConfig, type Options } from 'tsup';

/**
 * One build for every published package: ESM and CommonJS side by side, each with its own
 * declaration file, so `import` and `require()` both get types (see STYLE.md, "Code").
 */
export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false } },
    tsconfig: 'tsconfig.json',
    target: 'node22',
    platform: 'node',
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    // A class that names itself in a static method would otherwise be renamed (`_MongoStore`),
    // and users see its name in stack traces, logs and `store.constructor.name`.
    keepNames: true,
    ...overrides,
  });
}
