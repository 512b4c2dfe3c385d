/* global document, window, fetch, URLSearchParams, setInterval */
// The demo page's script: draws the session and its record from /state, runs the actions, and
// logs what each one changed in the stored record. Every value from the server is set as text,
// never as HTML: session data is user input.

let view = null;

const $ = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A string holding JSON (a stored payload) as its value, so it can be shown and compared field by field. */
function parsedIfJson(value) {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/** `3 h 59 min 58 s` from now until `epochMs`, or `expired`. */
function remaining(epochMs) {
  const seconds = Math.floor((epochMs - Date.now()) / 1000);
  if (seconds <= 0) return 'expired';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h} h ` : ''}${h > 0 || m > 0 ? `${m} min ` : ''}${s} s`;
}

function countdown(epochMs) {
  const node = element('span', remaining(epochMs), 'countdown');
  node.dataset.expiresAt = String(epochMs);
  return node;
}

function row(list, term, ...content) {
  list.append(element('dt', term));
  const dd = element('dd');
  dd.append(...content);
  list.append(dd);
}

function pretty(value) {
  return element('pre', typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

function drawSession() {
  const box = $('session');
  box.replaceChildren();
  const loggedIn = typeof view.data?.username === 'string';
  $('login').hidden = loggedIn;
  $('user').hidden = !loggedIn;
  $('username').textContent = loggedIn ? view.data.username : '';
  if (view.sid === null) {
    box.append(element('p', 'No session yet: nothing is stored until you save or log in.', 'muted'));
  } else {
    const list = element('dl');
    const sid = element('code', view.sid);
    sid.id = 'sid';
    row(list, 'sid', sid);
    const data = pretty(view.data ?? {});
    data.id = 'data';
    row(list, 'data', data);
    if (view.cookieExpires) {
      const at = Date.parse(view.cookieExpires);
      row(list, 'cookie expires', countdown(at), element('span', ` (${view.cookieExpires})`, 'muted'));
    } else {
      row(list, 'cookie expires', element('span', 'when the browser closes'));
    }
    box.append(list);
  }
  const others = $('logout-others');
  others.disabled = !view.logoutOthers.available || !loggedIn;
  const reason = $('logout-others-reason');
  reason.hidden = view.logoutOthers.available;
  reason.textContent = view.logoutOthers.reason ?? '';
  drawUserSessions();
  for (const button of document.querySelectorAll('[data-action]')) {
    if (button !== others) button.disabled = button.dataset.action !== 'save' && view.sid === null;
  }
}

/** The logged-in user's sessions, one line per device, when the store keeps sessions by user. */
function drawUserSessions() {
  const box = $('user-sessions');
  box.replaceChildren();
  box.hidden = !view.userSessions;
  if (!view.userSessions) return;
  box.append(element('h3', `Your sessions (${view.userSessions.length})`));
  const list = element('ul');
  for (const entry of view.userSessions) {
    const item = element('li', entry.device);
    item.dataset.sid = entry.sid;
    const seen = entry.lastSeen ? `last seen ${new Date(entry.lastSeen).toLocaleString()}` : 'last seen: unknown';
    item.append(element('span', ` · ${seen}`, 'muted'));
    if (entry.current) item.append(element('strong', ' · this browser'));
    list.append(item);
  }
  box.append(list);
}

function drawRecord() {
  const box = $('record');
  box.replaceChildren();
  if (view.recordUnavailable) {
    box.append(element('p', view.recordUnavailable, 'muted'));
    return;
  }
  const record = view.record;
  if (record === null) {
    box.append(element('p', 'No record: the backend holds nothing for this browser.', 'muted'));
    return;
  }
  const list = element('dl');
  row(list, 'backend', element('strong', record.backend));
  const location = element('code', record.location);
  location.id = 'record-location';
  row(list, 'where', location);
  const expiry = element('code', record.expiry);
  expiry.id = 'record-expiry';
  row(
    list,
    'expiry',
    expiry,
    element('br'),
    record.expiresAt === null ? element('span', 'the backend cannot say when', 'muted') : countdown(record.expiresAt),
  );
  const stored = record.stored;
  if (stored !== null && typeof stored === 'object' && !Array.isArray(stored)) {
    for (const [field, value] of Object.entries(stored)) row(list, field, pretty(parsedIfJson(value)));
  } else {
    row(list, 'value', pretty(parsedIfJson(stored)));
  }
  box.append(list);
}

/** Every leaf of the record (and of the session's data) under a dotted name, for the diff. */
function flatten(value, prefix, into) {
  const parsed = parsedIfJson(value);
  if (parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0) {
    for (const [key, inner] of Object.entries(parsed)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, JSON.stringify(parsed));
  }
  return into;
}

function recordFields(state) {
  if (!state.record) return new Map();
  const { location, expiry, stored } = state.record;
  return flatten(
    stored,
    'stored',
    new Map([
      ['where', JSON.stringify(location)],
      ['expiry', JSON.stringify(expiry)],
    ]),
  );
}

/** The lines of the change log for one action: what the backend now holds that it did not before. */
function changes(before, after) {
  if (!before.record && !after.record) return ['no record before or after'];
  if (before.record && !after.record) return [`record deleted: ${before.record.location}`];
  if (!before.record && after.record) return [`record created: ${after.record.location}`];
  const lines = [];
  if (before.record.location !== after.record.location)
    lines.push(`new record ${after.record.location} (was ${before.record.location})`);
  const old = recordFields(before);
  const now = recordFields(after);
  for (const [field, value] of now) {
    if (field === 'where') continue;
    if (!old.has(field)) lines.push(`+ ${field} = ${value}`);
    else if (old.get(field) !== value) lines.push(`~ ${field}: ${old.get(field)} → ${value}`);
  }
  for (const [field, value] of old) if (field !== 'where' && !now.has(field)) lines.push(`- ${field} (was ${value})`);
  return lines.length > 0 ? lines : ['nothing changed in the record'];
}

function log(action, message, lines) {
  const item = element('li');
  item.dataset.action = action;
  item.append(element('strong', action), element('span', ` ${new Date().toLocaleTimeString()} — ${message}`));
  const list = element('ul', undefined, 'changes');
  for (const line of lines) list.append(element('li', line));
  item.append(list);
  $('log').prepend(item);
}

async function refresh() {
  const response = await fetch('/state', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`the state could not be read (HTTP ${response.status})`);
  view = await response.json();
  drawSession();
  drawRecord();
}

async function act(action, body) {
  const before = view;
  const response = await fetch(`/${action}`, {
    method: 'POST',
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body,
  });
  const result = await response.json().catch(() => ({ message: `HTTP ${response.status}` }));
  $('message').textContent = result.message;
  $('message').className = response.ok ? '' : 'alert';
  await refresh();
  if (response.ok) {
    const lines = changes(before, view);
    if (result.previousSid && result.previousSid !== view.sid && before.record)
      lines.push(`the old sid ${result.previousSid} no longer has a record`);
    log(action, result.message, lines);
  }
  document.body.dataset.lastAction = action;
}

function busy(promise) {
  document.body.classList.add('busy');
  promise
    .catch((error) => {
      $('message').textContent = String(error.message ?? error);
      $('message').className = 'alert';
    })
    .finally(() => document.body.classList.remove('busy'));
}

window.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('[data-action]'))
    button.addEventListener('click', () => busy(act(button.dataset.action)));
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    busy(act('login', new URLSearchParams(new window.FormData(event.target))));
  });
  setInterval(() => {
    for (const node of document.querySelectorAll('[data-expires-at]'))
      node.textContent = remaining(Number(node.dataset.expiresAt));
  }, 1000);
  busy(refresh().then(() => (document.body.dataset.ready = 'true')));
});
