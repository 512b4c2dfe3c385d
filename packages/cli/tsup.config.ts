import { packageBuild } from '../../scripts/tsup.base';

// Two entries: the library (copySessions, for scripts) and the `session-stores` command.
export default packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' });
