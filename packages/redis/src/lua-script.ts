import { createHash } from 'node:crypto';
import type { RedisClient } from './options';

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

  async run(client: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
