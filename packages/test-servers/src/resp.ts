import { tcpExchange } from './tcp';
import type { HostPort } from './types';

/**
 * Just enough of the Redis protocol (RESP2) for the harness to check and steer its own servers
 * (PING, INFO, CLUSTER INFO, SENTINEL ...) without depending on a Redis driver.
 */
export type RespValue = string | number | null | RespValue[];

/** An error reply (`-ERR ...`, `-LOADING ...`). */
export class RespError extends Error {
  override readonly name = 'RespError';
}

export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

interface Parsed {
  value: RespValue | RespError;
  next: number;
}

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, offset = 0): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset] ?? 0);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        // A nested error is kept as its message: the harness never needs to tell them apart.
        items.push(item.value instanceof RespError ? item.value.message : item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected Redis reply type "${type}"`);
  }
}

/** Runs one command on a fresh connection; an error reply rejects with a RespError. */
export async function redisCommand(address: HostPort, args: readonly string[], timeoutMs = 2000): Promise<RespValue> {
  const reply = await tcpExchange(
    address,
    encodeCommand(args),
    (received) => parseReply(received) !== undefined,
    timeoutMs,
  );
  const parsed = parseReply(reply);
  if (!parsed) throw new Error('incomplete Redis reply');
  if (parsed.value instanceof RespError) throw parsed.value;
  return parsed.value;
}

/** Redis readiness: PING gets PONG (not `-LOADING` while a snapshot is read back). */
export async function redisAnswers(address: HostPort, timeoutMs = 1000): Promise<boolean> {
  return (await redisCommand(address, ['PING'], timeoutMs)) === 'PONG';
}

/** Parses `field:value` lines of INFO and CLUSTER INFO replies. */
export function parseInfo(text: RespValue): Map<string, string> {
  const fields = new Map<string, string>();
  if (typeof text !== 'string') return fields;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
