import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { backendDefinitions } from '../backends/index';
import { JOB_VARIABLE } from '../child';
import { realisticSession, SESSION_MAX_AGE_MS } from '../fixture';
import { describeError } from '../load';
import type { BackendName, ServerInfo } from '../subject';

export interface AppJob {
  backend: BackendName;
  kind: 'ours' | 'anchor';
  server: ServerInfo;
  namespace: string;
}

export type AppReply = { ok: true; port: number } | { ok: false; error: string };

/**
 * The minimal Express app of the end-to-end figure, in its own process so it has its own
 * event loop and the load generator does not share it: express-session with `resave: false`,
 * `saveUninitialized: false`, `/login` fills a realistic session, `/` increments a counter
 * (a get and a set per request).
 */
async function main(): Promise<AppReply> {
  const job = JSON.parse(process.env[JOB_VARIABLE] ?? '{}') as AppJob;
  const definition = backendDefinitions[job.backend];
  if (!definition) return { ok: false, error: `unknown backend ${job.backend}` };
  const subject = await definition.createSubject(job.kind, { server: job.server, namespace: job.namespace });
  if (!subject.store) return { ok: false, error: `${subject.label} has no express-session store` };
  const { cookie: _cookie, ...profile } = realisticSession() as unknown as Record<string, unknown>;

  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      store: subject.store,
      secret: 'session-stores bench secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: SESSION_MAX_AGE_MS, httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.get('/login', (req, res) => {
    Object.assign(req.session, profile, { counter: 0 });
    res.send('ok');
  });
  app.get('/', (req, res) => {
    const data = req.session as unknown as { counter?: number };
    data.counter = (data.counter ?? 0) + 1;
    res.send(String(data.counter));
  });

  // The first failure, for the report: a figure over failing requests is not a figure.
  let firstError: string | null = null;
  app.get('/bench/first-error', (_req, res) => {
    res.type('text/plain').send(firstError ?? '');
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    firstError ??= describeError(error);
    res.status(500).send('error');
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const stop = () => {
    server.close();
    void subject.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  return { ok: true, port: (server.address() as AddressInfo).port };
}

main().then(
  (reply) => process.send!(reply),
  (error: unknown) =>
    process.send!({ ok: false, error: describeError(error) } satisfies AppReply, () => process.exit(1)),
);
