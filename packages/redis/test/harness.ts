// The harness as this package's tests use it: the public entry, plus the small local-only
// helper for a server with extra configuration (not part of that entry).
export {
  backendForTests,
  backendTitle,
  isStrictMode,
  ProviderUnavailableError,
  type HarnessServer,
} from '@session-stores/conformance/harness';
export { startLocalRedisWithConfig } from '../../../conformance/src/harness/redis-configured';
