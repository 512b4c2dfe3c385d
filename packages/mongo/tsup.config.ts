import { packageBuild } from '../../scripts/tsup.base';

export default packageBuild(undefined, {
  // connect-mongo 4 and 5 were required as the class itself: `require('connect-mongo').create(...)`,
  // and `require('connect-mongo').default`. The CommonJS build is the class, carrying every named
  // export (MongoStore, default, ...) as a property, so those lines and `const { MongoStore } = require(...)` all work.
  // The bundler writes the `exports.name = ...` lines after this footer, so rebinding the
  // module's `exports` to the class makes them land on it. test/dist.test.ts loads the result.
  footer: ({ format }) => (format === 'cjs' ? { js: 'exports = module.exports = MongoStore;' } : undefined),
});
