/**
 * One soak app process: Express with express-session and one of our stores, as an app runs it.
 * It installs no handler for uncaught exceptions or unhandled rejections on purpose: if a
 * store's background path throws, this process dies and the runner counts a crash.
 *
 * Routes (JSON; 401 means "no session", 503 means the store failed the call):
 *   POST /login?user=u   regenerate, then save { userId, counter: 0 }
 *   POST /write          counter + 1, saved before the response (the 200 is the acknowledgement)
 *   GET  /read           { userId, counter }; express-session then touches the session
 *   POST /regenerate     new sid, same userId and counter, saved before the response
 *   POST /logout         destroy, acknowledged by the 200
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { APP_CONFIG_VARIABLE, type AppConfig, type AppMessage } from './protocol';
import { createSoakStore } from './store';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    counter?: number;
  }
}

const config = JSON.parse(process.env[APP_CONFIG_VARIABLE] ?? 'null') as AppConfig | null;
if (!config) throw new Error(`${APP_CONFIG_VARIABLE} is not set: this file is started by bench/soak/run.ts`);

function tell(message: AppMessage): void {
  process.send?.(message);
}

const store = await createSoakStore(config);
for (const event of ['connect', 'disconnect', 'warning'] as const) {
  store.on(event, (detail?: unknown) =>
    tell({ type: 'store-event', at: Date.now(), event, detail: detail instanceof Error ? detail.message : undefined }),
  );
}

const app = express();
app.use(
  session({
    store,
    secret: 'soak-secret-not-for-production',
    resave: false,
    saveUninitialized: false,
    // Long enough that no session expires during a run: a missing session is a lost one.
    cookie: { maxAge: 6 * 3600_000 },
  }),
);

/** Replies 200 with `body` once `save` succeeded, 503 when the store failed it. */
function ackAfter(res: Response, next: NextFunction, save: (done: (error?: unknown) => void) => void, body: object) {
  save((error) => {
    if (error) next(error);
    else res.json(body);
  });
}

// While the store reports itself disconnected, express-session serves requests without a
// session (req.session undefined): an outage, answered as the store's failure.
app.use((req, res, next) => {
  if (req.session) next();
  else res.status(503).json({ error: 'no session: the store reported "disconnect" to express-session' });
});

app.post('/login', (req, res, next) => {
  req.session.regenerate((error) => {
    if (error) return next(error);
    req.session.userId = String(req.query.user ?? 'anonymous');
    req.session.counter = 0;
    ackAfter(res, next, (done) => req.session.save(done), { counter: 0 });
  });
});

app.post('/write', (req, res, next) => {
  if (req.session.userId === undefined) return void res.status(401).json({ session: false });
  req.session.counter = (req.session.counter ?? 0) + 1;
  ackAfter(res, next, (done) => req.session.save(done), { counter: req.session.counter });
});

app.get('/read', (req, res) => {
  if (req.session.userId === undefined) return void res.status(401).json({ session: false });
  res.json({ userId: req.session.userId, counter: req.session.counter });
});

app.post('/regenerate', (req, res, next) => {
  if (req.session.userId === undefined) return void res.status(401).json({ session: false });
  const { userId, counter } = req.session;
  req.session.regenerate((error) => {
    if (error) return next(error);
    Object.assign(req.session, { userId, counter });
    ackAfter(res, next, (done) => req.session.save(done), { counter });
  });
});

app.post('/logout', (req, res, next) => {
  if (req.session.userId === undefined) return void res.status(401).json({ session: false });
  req.session.destroy((error) => (error ? next(error) : res.json({ session: false })));
});

// A store failure: 503 while the response is still ours to send; after it (a touch at the end
// of a read), the runner is told, since the client saw a 200.
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const message = error instanceof Error ? error.message : String(error);
  if (res.headersSent) tell({ type: 'late-error', at: Date.now(), message });
  else res.status(503).json({ error: message });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  tell({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
server.keepAliveTimeout = 60_000;

setInterval(() => {
  const memory = process.memoryUsage();
  tell({ type: 'memory', at: Date.now(), rss: memory.rss, heapUsed: memory.heapUsed });
}, 1000).unref();

// The runner ends the app by disconnecting; close the store the way an app shuts down.
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  void Promise.resolve((store as { close?: () => Promise<void> }).close?.()).finally(() => process.exit(0));
});
