import { runConformance } from '@session-stores/conformance';
import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { describe } from 'vitest';
import { memcachedConformanceOptions } from './conformance-options';

// The whole suite against a pool of two memcached servers: memjs spreads the keys across both,
// and enumeration dumps each server.
const server = await backendForTests('memcached-pair');

describe.skipIf(!server)(backendTitle('memcached-pair', server), () => {
  if (server) runConformance(memcachedConformanceOptions('MemcachedStore on two memcached servers', server));
});
