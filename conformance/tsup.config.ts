import { packageBuild } from '../scripts/tsup.base';

export default packageBuild({ index: 'src/index.ts', 'harness/index': 'src/harness/index.ts', cli: 'src/cli.ts' }, { external: ['vitest'] });
