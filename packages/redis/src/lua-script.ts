import { createHash } from 'node:crypto';
import type { RedisDriver } from './driver';

/**
 * A Lua script run with EVALSHA: one round trip carrying a 40-character digest instead of the
 * source. A server (or Cluster node) that has not seen the script yet answers NOSCRIPT, and the
 * script is then sent once with EVAL, which also caches it there. The client is used as given:
 * nothing is defined on it (no defineCommand), since it may be the application's own.
 */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(driver: RedisDriver, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await driver.evalsha(this.sha1, keys, args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return driver.eval(this.source, keys, args);
    }
  }
}
