import { envValue } from './env';

/**
 * Default container images: the official images, pinned, for machines that can pull them.
 * docker-compose.test.yml at the repository root uses the same tags (a test keeps them in step).
 */
export const IMAGES = {
  redis: 'redis:7.2.5-alpine',
  postgres: 'postgres:15.8-alpine',
  mongo: 'mongo:7.0.14',
  memcached: 'memcached:1.6.29-alpine',
} as const;

export type ImageName = keyof typeof IMAGES;

/** The variable that names another image for a backend: `SESSION_STORES_REDIS_IMAGE`, ... */
export function imageVariable(name: ImageName): string {
  return `SESSION_STORES_${name.toUpperCase()}_IMAGE`;
}

/**
 * The image the container provider runs for a backend: the harness option, else
 * `SESSION_STORES_<NAME>_IMAGE` (scripts/with-docker.sh points these at images it builds
 * locally), else the official image. Any image must take the official image's command line.
 */
export function imageFor(name: ImageName, option?: string): string {
  return option ?? envValue(imageVariable(name)) ?? IMAGES[name];
}
