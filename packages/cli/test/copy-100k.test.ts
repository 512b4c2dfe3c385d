import { expect, it } from 'vitest';
import { describeWithBackends, expiresOf, prefix, runCommand, session, sid } from './helpers';

const COUNT = 100_000;
const BATCH = 5_000;

// About a minute on a busy 2-core machine: ~20 s to write the source, ~25 s for the command
// (count, copy, check), ~10 s to read every session back.

await describeWithBackends(`session-stores copy of ${COUNT} sessions (sqlite -> redis)`, (backends) => {
  it(`copies all ${COUNT} live sessions, each with its data and expiry, and checks them`, async () => {
    const filename = backends.sqliteFile();
    const source = backends.sqlite(filename);
    // Each session has its own lifetime (minutes apart), so a copy that mixed up expiries would show.
    const expected = new Map<string, { n: number; expires: string }>();
    for (let start = 0; start < COUNT; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, i) => {
        const n = start + i;
        return { id: sid(), value: session(3_600_000 + n * 10, { n, user: `user-${n}` }) };
      });
      await Promise.all(batch.map(({ id, value }) => source.set(id, value)));
      for (const { id, value } of batch) expected.set(id, { n: value.n as number, expires: expiresOf(value) });
    }
    expect(await source.length()).toBe(COUNT);

    const to = prefix();
    const result = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to, '--page-size', '1000']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${COUNT} copied, 0 already as new or newer in the target, 0 expired`);
    expect(result.stdout).toContain(`${COUNT} of the ${COUNT} copied sids checked there`);

    // Every one, read back from Redis in pages (one SCAN walk, not 100,000 round trips).
    const target = backends.redisStore(to);
    let seen = 0;
    for await (const { sid: id, session: copy } of target.iterate()) {
      const want = expected.get(id);
      if (!want) throw new Error(`the target holds ${id}, which the source never had`);
      const got = copy as unknown as { n: number; user: string };
      if (got.n !== want.n || got.user !== `user-${want.n}` || expiresOf(copy) !== want.expires)
        expect({ id, n: got.n, user: got.user, expires: expiresOf(copy) }).toEqual({
          id,
          n: want.n,
          user: `user-${want.n}`,
          expires: want.expires,
        });
      expected.delete(id);
      seen += 1;
    }
    expect(seen).toBe(COUNT);
    expect([...expected.keys()]).toEqual([]);
  }, 600_000);
});
