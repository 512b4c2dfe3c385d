import { packageBuild } from '../scripts/tsup.base';

// The suite and its CLI import vitest, which is ESM only: they ship as ESM (Node 22.12+ can
// require() them). The harness has no vitest in it and ships both ways. `clean` is off because
// the two builds share dist/; the build script empties it first.
export default [
  packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { format: ['esm'], external: ['vitest'], clean: false }),
  packageBuild({ 'harness/index': 'src/harness/index.ts' }, { clean: false }),
];
