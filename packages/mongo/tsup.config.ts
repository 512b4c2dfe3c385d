import { packageBuild } from '../../scripts/tsup.base';

export default packageBuild();
