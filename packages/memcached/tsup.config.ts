import { readFile, writeFile } from 'node:fs/promises';
import { packageBuild } from '../../scripts/tsup.base';

const COMPAT_CJS = 'dist/connect-memcached.cjs';
const INTEROP_LINE = '\nmodule.exports = exports.default;\n';

// connect-memcached.ts is the compatibility entry: its CommonJS build must be the factory itself,
// so that `require('@session-stores/memcached/connect-memcached')(session)` works as
// `require('connect-memcached')(session)` did. cjsInterop gives its declaration file
// `export = connectMemcached`. Its JavaScript is already `module.exports = connectMemcached`
// (rollup's tree shaking does that for a default-only entry), after which tsup 8.5's cjsInterop
// appends `module.exports = exports.default`, which would replace the factory with undefined:
// that line is removed once the build is done.
export default packageBuild(
  { index: 'src/index.ts', 'connect-memcached': 'src/connect-memcached.ts' },
  {
    cjsInterop: true,
    onSuccess: async () => {
      const code = await readFile(COMPAT_CJS, 'utf8');
      if (code.includes('module.exports = connectMemcached;') && code.includes(INTEROP_LINE)) {
        await writeFile(COMPAT_CJS, code.replace(INTEROP_LINE, '\n'));
      }
    },
  },
);
