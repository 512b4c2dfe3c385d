import { runConformance } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { describe } from 'vitest';
import { memcachedConformanceOptions } from './conformance-options';

// The whole suite against one memcached (MEMCACHED_SERVERS, a container, else a local memcached).
const server = await backendForTests('memcached');

describe.skipIf(!server)(backendTitle('memcached', server), () => {
  if (server) runConformance(memcachedConformanceOptions('MemcachedStore on one memcached', server));
});
