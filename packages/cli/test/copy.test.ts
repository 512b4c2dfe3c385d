import { expect, it } from 'vitest';
import { copySessions } from '../src/copy';
import { describeWithBackends, expiresOf, prefix, runCommand, session, sid } from './helpers';

const sorted = (values: string[]) => [...values].sort();

await describeWithBackends('session-stores copy, one rule at a time (sqlite -> redis)', (backends) => {
  /** A SQLite source holding `count` sessions, each with its index `n` and its own lifetime. */
  async function sourceWith(count: number) {
    const filename = backends.sqliteFile();
    const source = backends.sqlite(filename);
    const written = Array.from({ length: count }, (_, n) => ({
      sid: sid(),
      session: session(60_000 + n * 1000, { n }),
    }));
    await Promise.all(written.map((entry) => source.set(entry.sid, entry.session)));
    return { filename, source, written };
  }

  it('copies every live session with its data and its remaining lifetime, and checks them in the target', async () => {
    const { filename, written } = await sourceWith(25);
    const to = prefix();
    const result = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('25 copied, 0 already as new or newer');
    expect(result.stdout).toContain('25 of the 25 copied sids checked there');
    const target = backends.redisStore(to);
    expect(sorted(await target.ids())).toEqual(sorted(written.map((entry) => entry.sid)));
    for (const entry of written) {
      const copy = await target.get(entry.sid);
      expect(copy).toMatchObject({ n: entry.session.n });
      expect(expiresOf(copy)).toBe(expiresOf(entry.session));
    }
  });

  it('does not copy an expired session', async () => {
    const { filename, source } = await sourceWith(3);
    const gone = sid();
    const short = session(40, { short: true });
    await source.set(gone, short);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresOf(short)) + 30 - Date.now()));
    const to = prefix();
    const result = await runCommand(['copy', `sqlite:${filename}`, backends.redis.url, '--to-prefix', to]);
    expect(result.code).toBe(0);
    const target = backends.redisStore(to);
    expect(await target.length()).toBe(3);
    expect(await target.get(gone)).toBeNull();
  });

  it('is idempotent: a rerun copies nothing again and changes nothing', async () => {
    const { filename } = await sourceWith(10);
    const to = prefix();
    expect((await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to])).code).toBe(0);
    const target = backends.redisStore(to);
    const before = await target.all();
    const rerun = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('0 copied, 10 already as new or newer');
    expect(sorted((await target.all()).map((s) => JSON.stringify(s)))).toEqual(
      sorted(before.map((s) => JSON.stringify(s))),
    );
  });

  it('finishes after an interruption when run again', async () => {
    const { filename, source, written } = await sourceWith(30);
    const to = prefix();
    const target = backends.redisStore(to);
    // The first run stops after its first page, as a killed process would.
    const interrupted = copySessions(source, target, {
      pageSize: 10,
      onPage: () => {
        throw new Error('interrupted');
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(await target.length()).toBe(10);
    const rerun = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to, '--page-size', '7']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('20 copied, 10 already as new or newer');
    expect(sorted(await target.ids())).toEqual(sorted(written.map((entry) => entry.sid)));
  });

  it('later writes win: a target copy with a later or equal expiry is kept, an older one is replaced', async () => {
    const { filename, written } = await sourceWith(3);
    const [newer, equal, older] = written as [(typeof written)[0], (typeof written)[0], (typeof written)[0]];
    const to = prefix();
    const target = backends.redisStore(to);
    const appWrite = session(3_600_000, { app: 'newer' });
    await target.set(newer.sid, appWrite);
    await target.set(equal.sid, { ...equal.session, app: 'equal' } as typeof equal.session);
    await target.set(older.sid, session(1000, { app: 'older' }));
    const result = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', to]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 copied, 2 already as new or newer');
    expect(await target.get(newer.sid)).toMatchObject({ app: 'newer' });
    expect(expiresOf(await target.get(newer.sid))).toBe(expiresOf(appWrite));
    expect(await target.get(equal.sid)).toMatchObject({ app: 'equal' });
    const replaced = await target.get(older.sid);
    expect(replaced).toMatchObject({ n: older.session.n });
    expect(replaced).not.toHaveProperty('app');
  });

  it('a write the app makes to the target while the copy runs is not overwritten', async () => {
    const { source, written } = await sourceWith(40);
    const target = backends.redisStore(prefix());
    const appWrites = new Map<string, ReturnType<typeof session>>();
    let pages = 0;
    const result = await copySessions(source, target, {
      pageSize: 10,
      onPage: async () => {
        // Between the first and second pages, the app (already on the new store) writes every
        // session: a request refreshes the expiry, so each write is newer than the source's copy.
        if (++pages !== 1) return;
        for (const entry of written) appWrites.set(entry.sid, session(7_200_000, { app: true, n: entry.session.n }));
        await Promise.all([...appWrites].map(([id, value]) => target.set(id, value)));
      },
    });
    expect(result).toMatchObject({ read: 40, copied: 10, skippedNewer: 30 });
    for (const [id, value] of appWrites) {
      const held = await target.get(id);
      expect(held).toMatchObject({ app: true });
      expect(expiresOf(held)).toBe(expiresOf(value));
    }
  });

  it('reads and writes the namespaces named by --from-table and --to-prefix', async () => {
    const filename = backends.sqliteFile();
    const other = backends.sqlite(filename, 'other_sessions');
    const id = sid();
    await other.set(id, session(60_000, { table: 'other' }));
    await backends.sqlite(filename).set(sid(), session(60_000, { table: 'default' }));
    const to = prefix();
    const result = await runCommand([
      'copy',
      filename,
      backends.redis.url,
      '--from-table',
      'other_sessions',
      '--to-prefix',
      to,
    ]);
    expect(result.code).toBe(0);
    expect(await backends.redisStore(to).ids()).toEqual([id]);
    expect(await backends.redisStore('sess:').get(id)).toBeNull();
  });

  it('takes both sides from a --config file, with any store option', async () => {
    const { filename, written } = await sourceWith(5);
    const to = prefix();
    const config = backends.sqliteFile().replace(/\.db$/, '.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      config,
      JSON.stringify({
        from: { store: 'sqlite', options: { filename } },
        to: { store: 'redis', options: { url: backends.redis.url, prefix: to } },
      }),
    );
    const result = await runCommand(['copy', '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sorted(await backends.redisStore(to).ids())).toEqual(sorted(written.map((entry) => entry.sid)));
  });

  it('draws a progress bar on a terminal and plain lines otherwise', async () => {
    const { filename } = await sourceWith(20);
    const tty = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', prefix(), '--page-size', '5'], {
      tty: true,
    });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/\r\[#{30}\] 100% 20\/20 read/);
    const piped = await runCommand(['copy', filename, backends.redis.url, '--to-prefix', prefix(), '--page-size', '5']);
    expect(piped.stdout).not.toContain('\r');
    expect(piped.stdout).toMatch(/^20\/20 read, 5 copied|^\d+\/20 read/m);
  });

  it('stops with status 1 and the backend error when the target cannot be reached', async () => {
    const { filename } = await sourceWith(2);
    // Port 1 on the loopback: nothing listens there.
    const result = await runCommand(['copy', filename, 'redis://127.0.0.1:1']);
    expect(result.stderr).toMatch(/^session-stores: RedisStore\.\w+ failed: .*not reachable/);
    expect(result.code).toBe(1);
  });

  it('fails with status 1 when a copied session is not in the target afterwards', async () => {
    const { source } = await sourceWith(6);
    const real = backends.redisStore(prefix());
    // A target that loses every other write, as a full or misconfigured backend would.
    let writes = 0;
    const lossy = {
      get: (id: string) => real.get(id),
      set: (id: string, value: Parameters<typeof real.set>[1]) =>
        writes++ % 2 === 0 ? real.set(id, value) : Promise.resolve(),
      close: () => Promise.resolve(),
      ids: () => real.ids(),
    };
    const result = await copySessions(source, lossy);
    const { verifyTarget } = await import('../src/verify');
    const check = await verifyTarget(lossy, result.expected);
    expect(check.missing).toHaveLength(3);
  });
});
