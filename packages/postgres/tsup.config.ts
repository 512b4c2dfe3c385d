import { packageBuild } from '../../scripts/tsup.base';

// connect-pg-simple is a subpath whose only export is the factory: cjsInterop makes its
// CommonJS module.exports the function itself, so require('…/connect-pg-simple')(session) works.
// cjsInterop needs splitting (the store lives in one shared chunk, so both entries give the
// same class), and rollup's treeshake pass would emit module.exports before cjsInterop's line.
// connect-pg-simple/package.json points resolvers that ignore "exports" (node10) at the same files.
export default packageBuild(
  { index: 'src/index.ts', 'connect-pg-simple': 'src/connect-pg-simple.ts' },
  { splitting: true, cjsInterop: true, treeshake: false },
);
