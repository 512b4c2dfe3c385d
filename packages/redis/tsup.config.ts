import { packageBuild } from '../../scripts/tsup.base';

// shims: import.meta.url in the CommonJS build, for loading the chosen driver (own-client.ts).
export default packageBuild(undefined, { shims: true });
