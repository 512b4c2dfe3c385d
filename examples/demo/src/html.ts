const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** Which store serves the sessions, as the page names it. */
export interface StoreInfo {
  /** The store's class, e.g. `SqliteStore`. */
  name: string;
  /** Where the sessions are, e.g. `the SQLite file /path/sessions.db`. */
  label: string;
  /** The `STORE` value that chose it, when started through `STORE=... pnpm start`. */
  kind: string | null;
}

/** How to start the demo on each backend: the page shows these so a user can switch. */
export const SWITCH_COMMANDS: readonly string[] = [
  'pnpm start',
  'STORE=redis REDIS_URL=redis://127.0.0.1:6379 pnpm start',
  'STORE=postgres DATABASE_URL=postgres://user:password@127.0.0.1:5432/demo pnpm start',
  'STORE=mongo MONGO_URL=mongodb://127.0.0.1:27017/demo pnpm start',
  'STORE=memcached MEMCACHED_SERVERS=127.0.0.1:11211 pnpm start',
];

/**
 * The one page of the demo. It is a shell: the script (public/page.js) reads the session's
 * state from /state, draws it, and runs the actions; the store and the ways to switch it are
 * known when the app starts, so they are written here.
 */
export function renderPage(store: StoreInfo): string {
  const commands = SWITCH_COMMANDS.map((command) => `<li><code>${escapeHtml(command)}</code></li>`).join('\n        ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>session-stores demo</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/page.css">
  <script src="/assets/page.js" defer></script>
</head>
<body>
  <header>
    <h1>session-stores demo</h1>
    <p id="store">Sessions are kept by <strong id="store-name">${escapeHtml(store.name)}</strong> in
      <span id="store-label">${escapeHtml(store.label)}</span>${store.kind ? ` (<code>STORE=${escapeHtml(store.kind)}</code>)` : ''}.</p>
  </header>
  <noscript><p class="alert">This page needs JavaScript to show the session and its record.</p></noscript>
  <main>
    <section class="card" id="session-card">
      <h2>Your session</h2>
      <div id="session"><p class="muted">Loading…</p></div>
      <form id="login" hidden>
        <label>Name <input name="username" maxlength="64" required autocomplete="username"></label>
        <button type="submit">Log in</button>
      </form>
      <p id="user" hidden>Logged in as <strong id="username"></strong>.</p>
      <div class="actions" id="actions">
        <button type="button" data-action="touch" title="A request that changes nothing: express-session calls store.touch">Touch only</button>
        <button type="button" data-action="save" title="Changes the data: express-session calls store.set">Save (views + 1)</button>
        <button type="button" data-action="regenerate" title="req.session.regenerate: a new sid, the old record destroyed">Regenerate</button>
        <button type="button" data-action="logout" title="req.session.destroy">Log out</button>
        <button type="button" data-action="logout-others" id="logout-others">Log out everywhere else</button>
      </div>
      <p class="muted" id="logout-others-reason" hidden></p>
      <div id="user-sessions" hidden></div>
      <p id="message" role="status"></p>
    </section>
    <section class="card" id="record-card">
      <h2>The record, as the backend holds it</h2>
      <div id="record"><p class="muted">Loading…</p></div>
    </section>
    <section class="card" id="log-card">
      <h2>What changed in the stored record</h2>
      <ol id="log" reversed></ol>
    </section>
    <section class="card" id="switch-card">
      <h2>Try another backend</h2>
      <p>Stop the app and start it with <code>STORE</code> set (SQLite needs no server):</p>
      <ul class="commands">
        ${commands}
      </ul>
    </section>
  </main>
</body>
</html>
`;
}
