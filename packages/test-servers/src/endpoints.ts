import { isIP } from 'node:net';
import { remoteAllowed } from './env';
import type { HostPort } from './types';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Strips the brackets of an IPv6 literal (`[::1]` -> `::1`). */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(bareHost(host).toLowerCase());
}

/** `host:port`, with brackets around an IPv6 literal. */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function parseHostPort(text: string, defaultPort: number, source: string): HostPort {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (!match || !match[1]) throw new TypeError(`${source}: "${text}" is not host:port`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`${source}: bad port in "${text}"`);
  return { host: match[1], port };
}

/** Parses a comma-separated `host:port` list. */
export function parseHostPortList(text: string, defaultPort: number, source: string): HostPort[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new TypeError(`${source} is empty`);
  return entries.map((entry) => parseHostPort(entry, defaultPort, source));
}

/**
 * Tests connect only to loopback addresses. A URL that names any other host is refused unless
 * SESSION_STORES_ALLOW_REMOTE=1, so a stray DATABASE_URL never points a test run at a real database.
 */
export function assertLoopback(source: string, hosts: readonly string[]): void {
  if (remoteAllowed()) return;
  const remote = hosts.filter((host) => !isLoopbackHost(host));
  if (remote.length > 0) {
    throw new Error(
      `${source} names ${remote.map((host) => `"${host}"`).join(', ')}, which is not a loopback address ` +
        '(127.0.0.1, ::1 or localhost); tests only connect to loopback. Set SESSION_STORES_ALLOW_REMOTE=1 to allow it.',
    );
  }
}

/** The URL with any password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@');
}

/**
 * The hosts of a URL, `scheme://[user[:password]@]host[:port][,host[:port]...][/path][?query]`
 * (MongoDB URLs list several hosts).
 */
export function hostsOfUrl(url: string, defaultPort: number, source: string): HostPort[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url);
  if (!match) throw new TypeError(`${source} is not a URL: "${redactUrl(url)}"`);
  if (!match[1]) throw new TypeError(`${source} must name its host (127.0.0.1, ::1 or localhost): "${redactUrl(url)}"`);
  return parseHostPortList(match[1], defaultPort, source);
}

export function firstNode(nodes: readonly HostPort[]): HostPort {
  const node = nodes[0];
  if (!node) throw new Error('a server with no nodes');
  return node;
}
