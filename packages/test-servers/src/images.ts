/**
 * Container images for the container provider, pinned. docker-compose.test.yml at the
 * repository root uses the same tags: change both together.
 */
export const IMAGES = {
  redis: 'redis:7.2.5-alpine',
  postgres: 'postgres:15.8-alpine',
  mongo: 'mongo:7.0.14',
  memcached: 'memcached:1.6.29-alpine',
} as const;
