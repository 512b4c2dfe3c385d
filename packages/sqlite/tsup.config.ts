import { packageBuild } from '../../scripts/tsup.base';

/**
 * The two anchor-shaped entries export one factory each, so that
 * `require('@session-stores/sqlite/connect-sqlite3')(session)` works as the old package's require
 * did. cjsInterop types their `.d.cts` as `export =`; tsup's own CommonJS rewrite for it breaks
 * after tree-shaking (it appends `module.exports = exports.default` to a file that already set
 * module.exports), so the rewrite is this footer instead, on the esbuild output, which keeps
 * `exports.default`: a file whose only export is `default` exports that value itself.
 */
const defaultOnly =
  'if (Object.keys(module.exports).length === 1 && "default" in module.exports) module.exports = module.exports.default;';

export default packageBuild(
  {
    index: 'src/index.ts',
    'connect-sqlite3': 'src/connect-sqlite3.ts',
    'better-sqlite3-session-store': 'src/better-sqlite3-session-store.ts',
  },
  {
    cjsInterop: true,
    treeshake: false,
    footer: ({ format }) => (format === 'cjs' ? { js: defaultOnly } : undefined),
  },
);
