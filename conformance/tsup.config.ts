import { packageBuild } from '../scripts/tsup.base';

// The suite and its CLI import vitest, which is ESM only: they ship as ESM (Node 22.12+ can
// require() them).
export default packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { format: ['esm'], external: ['vitest'] });
