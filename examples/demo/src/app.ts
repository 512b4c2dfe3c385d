import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session, { type Store } from 'express-session';
import { renderPage } from './html';

// Optional, because this augmentation is global to the workspace's type check: required fields
// would make every other package's `{ cookie }` sessions fail to type.
declare module 'express-session' {
  interface SessionData {
    views?: number;
    username?: string;
  }
}

export interface DemoAppOptions {
  /** Where sessions live. */
  store: Store;
  /** Signs the session cookie; the same secret must be used across restarts for sessions to survive them. */
  secret: string;
  /** Shown on the page: where the sessions are kept. */
  storeLabel?: string;
}

export const COOKIE_NAME = 'demo.sid';
const MAX_USERNAME_LENGTH = 64;

/** The demo app, without a listener, so tests can start it on any port. */
export function createApp({ store, secret, storeLabel = 'the session store' }: DemoAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: COOKIE_NAME,
      store,
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  const page = (req: Request, res: Response, status = 200, error?: string) => {
    res
      .status(status)
      .type('html')
      .send(renderPage({ views: req.session.views ?? 0, username: req.session.username, storeLabel, error }));
  };

  app.get('/', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    page(req, res);
  });

  app.post('/login', (req, res, next) => {
    const body: unknown = req.body;
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined;
    const username = typeof raw === 'string' ? raw.trim() : '';
    if (username.length === 0 || username.length > MAX_USERNAME_LENGTH) {
      page(req, res, 400, `Please enter a name of 1 to ${MAX_USERNAME_LENGTH} characters.`);
      return;
    }
    const views = req.session.views ?? 0;
    // A new sid at login, so a sid planted in the browser before login is worthless after it (session fixation).
    req.session.regenerate((regenerateError) => {
      if (regenerateError) return next(regenerateError);
      req.session.username = username;
      req.session.views = views;
      req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(303, '/')));
    });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie(COOKIE_NAME, { httpOnly: true, sameSite: 'lax' });
      res.redirect(303, '/');
    });
  });

  // A store failure (database locked, server down) reaches here through express-session:
  // answer plainly, without a stack trace.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error(error);
    res.status(500).type('text').send('The session store failed; see the server log.');
  });

  return app;
}
