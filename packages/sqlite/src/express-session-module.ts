import { STORE_NAME } from './options';

/**
 * What the anchors' factories take: express-session itself (`session`), or connect, whose
 * `Store` is found under `session`. Our stores already extend express-session's Store, so the
 * argument is only checked, to fail at the same line the old package would have.
 */
export type ExpressSessionModule = object;

export function checkSessionModule(factory: string, value: unknown): void {
  const candidate = value as { Store?: unknown; session?: { Store?: unknown } } | null | undefined;
  const hasStore =
    (typeof candidate === 'function' || typeof candidate === 'object') &&
    candidate !== null &&
    (typeof candidate.Store === 'function' || typeof candidate.session?.Store === 'function');
  if (!hasStore) {
    throw new TypeError(
      `${STORE_NAME}: ${factory}(session) takes the express-session module (require('express-session')), got ${value === null ? 'null' : typeof value}`,
    );
  }
}
