import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import session, { type SessionOptions } from 'express-session';
import type { StoreUnderTest } from '../types';

/** The app's session keys, as the routes use them. */
interface AppSession {
  n?: number;
  user?: string;
  saves?: number;
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export type AppSessionOptions = Pick<SessionOptions, 'resave' | 'saveUninitialized' | 'rolling'> & { maxAgeMs: number };

function data(req: Request): AppSession {
  return req.session as unknown as AppSession;
}

function reply(req: Request, res: Response): void {
  const current = data(req);
  res.json({
    sid: req.sessionID,
    n: current?.n ?? null,
    user: current?.user ?? null,
    saves: current?.saves ?? 0,
    hasSession: Boolean(req.session),
  });
}

/**
 * A small express 5 app with express-session on `store`, listening on 127.0.0.1 and a free port.
 * Routes: GET /count increments a counter, GET /peek reads without modifying (express-session
 * then touches), POST /login regenerates and sets a user, POST /logout destroys, POST /save
 * modifies and calls req.session.save() explicitly.
 */
export async function startApp(store: StoreUnderTest, options: AppSessionOptions): Promise<RunningApp> {
  const app = express();
  app.use(
    session({
      store,
      secret: 'conformance-secret',
      name: 'conformance.sid',
      resave: options.resave,
      saveUninitialized: options.saveUninitialized,
      rolling: options.rolling,
      cookie: { maxAge: options.maxAgeMs },
    }),
  );
  app.get('/count', (req, res) => {
    data(req).n = (data(req).n ?? 0) + 1;
    reply(req, res);
  });
  app.get('/peek', reply);
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error: unknown) => {
      if (error) return next(error);
      data(req).user = 'ada';
      reply(req, res);
    });
  });
  app.post('/logout', (req, res, next) => {
    const sid = req.sessionID;
    req.session.destroy((error: unknown) => {
      if (error) return next(error);
      res.json({ sid, destroyed: true });
    });
  });
  app.post('/save', (req, res, next) => {
    data(req).saves = (data(req).saves ?? 0) + 1;
    req.session.save((error: unknown) => {
      if (error) return next(error);
      reply(req, res);
    });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
  });

  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
