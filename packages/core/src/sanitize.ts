/**
 * What a store keeps of a driver's error. Drivers attach what they were sending: ioredis puts
 * the command's arguments (the key, which holds the sid, and the session JSON) in
 * `command.args`, MongoDB the document in `errInfo`, `keyValue` and `errorResponse`, PostgreSQL
 * the values in `detail`. An app logs our errors with their cause (a JSON logger writes every
 * own property), so a cause kept whole would write sids, which are bearer credentials, and
 * session contents to logs. The cause kept is a copy holding only the fields below, its message
 * and stack with the sid scrubbed, and its own cause and `errors` copied the same way.
 */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'codeName', 'severity'] as const;
const MAX_DEPTH = 4;
export const SCRUBBED = '<sid>';
/**
 * Shorter secrets are not scrubbed: replacing every "n" of a message would garble it, and a
 * sid that short is no credential (express-session's are 32 characters).
 */
const MIN_SECRET_LENGTH = 8;

/** Whether `text` holds one of the secrets (of at least the length that is scrubbed). */
export function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret.length >= MIN_SECRET_LENGTH && text.includes(secret));
}

/** `text` with every occurrence of each secret replaced. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join(SCRUBBED);
  return result;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  const message = (value as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return message;
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

function nameOf(value: unknown): string {
  try {
    const name = (value as { name?: unknown } | null | undefined)?.name;
    return typeof name === 'string' && name.length > 0 ? name : 'Error';
  } catch {
    return 'Error';
  }
}

function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * A copy of `cause` that is an Error with its name, message and stack (`secrets` scrubbed from
 * both), the fields in {@link KEPT_FIELDS} that are strings or numbers, and a copied `cause` and
 * `errors` (AggregateError). Nothing else of the original is reachable from the copy.
 */
export function sanitizeCause(cause: unknown, secrets: readonly string[] = [], depth = 0): Error {
  const name = nameOf(cause);
  const message = scrub(messageOf(cause), secrets);
  const copy = new Error(message);
  if (name !== 'Error') hidden(copy, 'name', name);
  const original = (typeof cause === 'object' && cause !== null ? cause : {}) as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    let value: unknown;
    try {
      value = original[field];
    } catch {
      continue;
    }
    if (typeof value === 'number') (copy as unknown as Record<string, unknown>)[field] = value;
    else if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[field] = scrub(value, secrets);
  }
  // The frames of the original stack say where it failed; its first lines repeat the message.
  const stack = cause instanceof Error && typeof cause.stack === 'string' ? cause.stack : '';
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  hidden(copy, 'stack', [`${name}: ${message}`, ...frames.map((frame) => scrub(frame, secrets))].join('\n'));
  if (depth < MAX_DEPTH && cause instanceof Error) {
    if (cause.cause !== undefined) hidden(copy, 'cause', sanitizeCause(cause.cause, secrets, depth + 1));
    const errors = (cause as { errors?: unknown }).errors;
    if (Array.isArray(errors))
      hidden(
        copy,
        'errors',
        errors.slice(0, 10).map((error) => sanitizeCause(error, secrets, depth + 1)),
      );
  }
  return copy;
}
