const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values: the username is user input. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

export interface PageState {
  views: number;
  username: string | undefined;
  storeLabel: string;
  error?: string;
}

/** The one page of the demo: the visit counter, and a login form or a logout button. */
export function renderPage({ views, username, storeLabel, error }: PageState): string {
  const account =
    username === undefined
      ? `<form method="post" action="/login">
      <label>Name <input name="username" maxlength="64" required autofocus></label>
      <button type="submit">Log in</button>
    </form>`
      : `<p>Logged in as <strong>${escapeHtml(username)}</strong>.</p>
    <form method="post" action="/logout"><button type="submit">Log out</button></form>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>session-stores demo</title>
</head>
<body>
  <main>
    <h1>session-stores demo</h1>
    <p>Visits in this session: <strong id="views">${views}</strong></p>
    ${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
    ${account}
    <p><small>Sessions are kept in ${escapeHtml(storeLabel)}. Restart the app: you stay logged in.</small></p>
  </main>
</body>
</html>
`;
}
