import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session, { type Store } from 'express-session';
import { fileURLToPath } from 'node:url';
import { renderPage, type StoreInfo } from './html';
import { sidFromCookieHeader } from './session-cookie';
import { readSessionView } from './session-view';
import { logoutOthersSupport } from './user-sessions';

// Optional, because this augmentation is global to the workspace's type check: required fields
// would make every other package's `{ cookie }` sessions fail to type.
declare module 'express-session' {
  interface SessionData {
    views?: number;
    username?: string;
    /** The user agent at login, shown in the list of the user's sessions. */
    device?: string;
  }
}

export interface DemoAppOptions {
  /** Where sessions live. */
  store: Store;
  /** Signs the session cookie; the same secret must be used across restarts for sessions to survive them. */
  secret: string;
  /** Shown on the page: where the sessions are kept. */
  storeLabel?: string;
  /** The `STORE` value that chose the store, so the page can say how to switch. */
  storeKind?: string;
}

export const COOKIE_NAME = 'demo.sid';
const MAX_USERNAME_LENGTH = 64;
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** What an action did, for the page's change log (the change in the record is read after it). */
interface ActionResult {
  action: string;
  message: string;
  /** The sid before the action, when the action gave the session a new one or ended it. */
  previousSid?: string;
}

/**
 * The demo app, without a listener, so tests can start it on any port. Reading (the page, the
 * state) goes around express-session, so looking never touches a session; each action goes
 * through it, so the page shows exactly what express-session and the store did for it.
 */
export function createApp({ store, secret, storeLabel = 'the session store', storeKind }: DemoAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const info: StoreInfo = { name: store.constructor.name, label: storeLabel, kind: storeKind ?? null };
  const cookieSid = (req: Request) => sidFromCookieHeader(req.headers.cookie, COOKIE_NAME, secret);

  app.get('/', (_req, res) => {
    res.type('html').send(renderPage(info));
  });
  app.get('/state', async (req, res, next) => {
    try {
      res.set('cache-control', 'no-store').json(await readSessionView(store, cookieSid(req)));
    } catch (error) {
      next(error);
    }
  });
  app.use('/assets', express.static(PUBLIC_DIR, { index: false }));

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

  /** Answers the page's script with JSON, and a plain form post with a redirect back to the page. */
  const done = (req: Request, res: Response, result: ActionResult, status = 200) => {
    if (req.accepts(['html', 'json']) === 'json') res.status(status).json(result);
    else if (status >= 400) res.status(status).type('text').send(result.message);
    else res.redirect(303, '/');
  };
  /** Whether the request came with a session the store had: express-session made a new one otherwise. */
  const hasStoredSession = (req: Request) => cookieSid(req) === req.sessionID;

  app.post('/touch', (req, res) => {
    // Nothing changes: express-session sees an unmodified session and calls store.touch as the response ends.
    done(req, res, {
      action: 'touch',
      message: hasStoredSession(req)
        ? 'Only touched: express-session called store.touch, which moves the expiry and keeps the data.'
        : 'There is no session to touch yet: save or log in first.',
    });
  });

  app.post('/save', (req, res, next) => {
    req.session.views = (req.session.views ?? 0) + 1;
    req.session.save((error) =>
      error ? next(error) : done(req, res, { action: 'save', message: `Saved views = ${req.session.views}.` }),
    );
  });

  app.post('/regenerate', (req, res, next) => {
    const previousSid = req.sessionID;
    const { views, username, device } = req.session;
    req.session.regenerate((regenerateError) => {
      if (regenerateError) return next(regenerateError);
      Object.assign(req.session, { views, username, device });
      req.session.save((saveError) =>
        saveError
          ? next(saveError)
          : done(req, res, {
              action: 'regenerate',
              message: 'New sid, same data: the old record was destroyed and a new one written.',
              previousSid,
            }),
      );
    });
  });

  app.post('/login', (req, res, next) => {
    const body: unknown = req.body;
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined;
    const username = typeof raw === 'string' ? raw.trim() : '';
    if (username.length === 0 || username.length > MAX_USERNAME_LENGTH) {
      done(
        req,
        res,
        { action: 'login', message: `Please enter a name of 1 to ${MAX_USERNAME_LENGTH} characters.` },
        400,
      );
      return;
    }
    const previousSid = req.sessionID;
    const views = req.session.views ?? 0;
    // A new sid at login, so a sid planted in the browser before login is worthless after it (session fixation).
    req.session.regenerate((regenerateError) => {
      if (regenerateError) return next(regenerateError);
      req.session.username = username;
      req.session.views = views;
      // For the list of the user's sessions: which device each one is.
      req.session.device = req.get('user-agent') ?? '';
      req.session.save((saveError) =>
        saveError
          ? next(saveError)
          : done(req, res, { action: 'login', message: `Logged in as ${username}, under a new sid.`, previousSid }),
      );
    });
  });

  app.post('/logout', (req, res, next) => {
    const previousSid = req.sessionID;
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie(COOKIE_NAME, { httpOnly: true, sameSite: 'lax' });
      done(req, res, { action: 'logout', message: 'Logged out: the record was destroyed.', previousSid });
    });
  });

  app.post('/logout-others', async (req, res, next) => {
    const support = logoutOthersSupport(store);
    const username = req.session.username;
    if (!support.available) return done(req, res, { action: 'logout-others', message: support.reason }, 409);
    if (username === undefined) return done(req, res, { action: 'logout-others', message: 'Log in first.' }, 409);
    try {
      const count = await support.destroyOthers(username, req.sessionID);
      done(req, res, { action: 'logout-others', message: `Logged out ${count} other session(s) of ${username}.` });
    } catch (error) {
      next(error);
    }
  });

  // A store failure (database locked, server down) reaches here through express-session:
  // answer plainly, without a stack trace.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    console.error(error);
    const message = 'The session store failed; see the server log.';
    if (req.accepts(['html', 'json']) === 'json') res.status(500).json({ action: 'error', message });
    else res.status(500).type('text').send(message);
  });

  return app;
}
