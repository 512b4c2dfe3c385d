/**
 * A population of users with cookie jars, each doing one request at a time, and what each
 * expects of its session: the runner checks every answer against the last acknowledged state,
 * so a session acknowledged and then missing or stale is seen on the next request that reads it.
 */

/** What a user knows of its session. `unsure` after a call that failed: it may or may not have landed. */
export type SessionState = 'out' | 'in' | 'unsure';

export interface SoakClient {
  readonly id: number;
  cookie: string | null;
  state: SessionState;
  /** The counter of the last acknowledged write (meaningful when `state` is 'in'). */
  counter: number;
  /** When that acknowledgement came. */
  ackAt: number;
  busy: boolean;
}

export type Action = 'login' | 'read' | 'write' | 'regenerate' | 'logout';

export const ROUTES: Record<Action, { method: 'GET' | 'POST'; path: string }> = {
  login: { method: 'POST', path: '/login' },
  read: { method: 'GET', path: '/read' },
  write: { method: 'POST', path: '/write' },
  regenerate: { method: 'POST', path: '/regenerate' },
  logout: { method: 'POST', path: '/logout' },
};

export function newClients(count: number): SoakClient[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    cookie: null,
    state: 'out' as SessionState,
    counter: 0,
    ackAt: 0,
    busy: false,
  }));
}

/**
 * The next action of a user: log in when out; else mostly reads (each ends in a touch) and
 * writes, sometimes a regenerate or a logout.
 */
export function nextAction(client: SoakClient, random: () => number): Action {
  if (client.state === 'out') return 'login';
  const r = random();
  if (r < 0.5) return 'read';
  if (r < 0.85) return 'write';
  if (r < 0.93) return 'regenerate';
  return 'logout';
}

/** A session acknowledged, then not found (`missing`) or found with an older counter (`stale`). */
export interface Loss {
  at: number;
  kind: 'missing' | 'stale';
  ackAt: number;
  clientId: number;
}

/** The body of a 200 answer: every route but logout gives the counter the session holds. */
interface Answer {
  counter?: number;
}

/**
 * Updates `client` from an answer and returns the loss it reveals, if any. `status` is the HTTP
 * status, or 0 for no answer (network error, timeout).
 */
export function observe(
  client: SoakClient,
  action: Action,
  status: number,
  body: Answer,
  cookie: string | null,
  now: number,
): Loss | null {
  if (cookie) client.cookie = cookie;
  const expected = client.state === 'in' ? client.counter : null;
  const loss = (kind: Loss['kind']): Loss => ({ at: now, kind, ackAt: client.ackAt, clientId: client.id });

  if (status === 401) {
    const lost = expected !== null;
    client.state = 'out';
    return lost ? loss('missing') : null;
  }
  if (status !== 200) {
    // The store failed the call or we got no answer: a write may or may not have landed, a
    // logout may or may not have destroyed the session. Only a read leaves the state known.
    if (action !== 'read') client.state = client.state === 'out' && action !== 'login' ? 'out' : 'unsure';
    return null;
  }

  // The counter the session held when the app read it.
  const read = action === 'write' ? (body.counter ?? 0) - 1 : (body.counter ?? 0);
  let found: Loss | null = null;
  if (expected !== null && action !== 'login' && action !== 'logout' && read < expected) found = loss('stale');
  if (action === 'logout') {
    client.state = 'out';
    client.cookie = null;
  } else {
    client.state = 'in';
    client.counter = body.counter ?? 0;
    if (action !== 'read') client.ackAt = now;
  }
  return found;
}
