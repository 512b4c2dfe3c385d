import { unsign } from 'cookie-signature';

/**
 * The sid in the signed session cookie of a request's Cookie header, or null when there is none
 * or its signature does not check out. The record view reads it without express-session, so
 * that looking at a session never touches it (express-session touches every session it loads).
 */
export function sidFromCookieHeader(header: string | undefined, name: string, secret: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(separator + 1).trim());
    } catch {
      return null;
    }
    // express-session writes `s:` then the sid signed with the secret.
    if (!value.startsWith('s:')) return null;
    const sid = unsign(value.slice(2), secret);
    return sid === false ? null : sid;
  }
  return null;
}
