import type { Client, Server } from 'memjs';

/**
 * The few memcached binary-protocol commands the store needs, sent through memjs's public
 * `perform()` (the same path memjs's own `get`/`set` take: its connection, timeouts, retries and
 * server choice), because memjs's helpers drop what sessions need: the CAS token of a `get`, a
 * compare-and-set, the item flags, and the status codes (to tell "too large" from "not found").
 * Using our own requests also keeps a client's custom memjs serializer out of the stored bytes.
 */

const MAGIC_REQUEST = 0x80;
const HEADER_BYTES = 24;

export const Opcode = { get: 0x00, set: 0x01, delete: 0x04 } as const;

export const Status = {
  ok: 0x0000,
  keyNotFound: 0x0001,
  keyExists: 0x0002,
  valueTooLarge: 0x0003,
} as const;

const STATUS_TEXT: Record<number, string> = {
  0x0001: 'key not found',
  0x0002: 'key exists',
  0x0003: 'value too large',
  0x0004: 'invalid arguments',
  0x0005: 'item not stored',
  0x0007: 'the vbucket belongs to another server',
  0x0008: 'authentication error',
  0x0020: 'authentication error',
  0x0081: 'unknown command',
  0x0082: 'out of memory',
  0x0083: 'not supported',
  0x0084: 'internal error',
  0x0085: 'busy',
  0x0086: 'temporary failure',
};

/** A memcached answer other than success or the statuses a command expects. */
export class MemcachedStatusError extends Error {
  constructor(
    readonly status: number,
    command: string,
  ) {
    super(
      `memcached answered ${command} with "${STATUS_TEXT[status] ?? 'unknown status'}" (status 0x${status.toString(16).padStart(4, '0')})`,
    );
    this.name = 'MemcachedStatusError';
  }
}

export interface StoredItem {
  value: Buffer;
  flags: number;
  /** The item's CAS token (8 bytes), for a later compare-and-set. */
  cas: Buffer;
}

/** Told about every command's outcome, to derive the store's connect/disconnect events. */
export interface TransportListener {
  answered(server: Server): void;
  unreachable(server: Server, error: Error): void;
}

interface Response {
  header: { status: number; cas: Buffer };
  extras: Buffer;
  val: Buffer;
}

export function encodeRequest(
  opcode: number,
  key: Buffer,
  extras: Buffer,
  value: Buffer,
  opaque: number,
  cas?: Buffer,
): Buffer {
  const request = Buffer.alloc(HEADER_BYTES + extras.length + key.length + value.length);
  request.writeUInt8(MAGIC_REQUEST, 0);
  request.writeUInt8(opcode, 1);
  request.writeUInt16BE(key.length, 2);
  request.writeUInt8(extras.length, 4);
  request.writeUInt32BE(extras.length + key.length + value.length, 8);
  request.writeUInt32BE(opaque, 12);
  if (cas) cas.copy(request, 16, 0, 8);
  extras.copy(request, HEADER_BYTES);
  key.copy(request, HEADER_BYTES + extras.length);
  value.copy(request, HEADER_BYTES + extras.length + key.length);
  return request;
}

/**
 * The next request id. memjs wraps its counter with `seq &= 0xffffffff`, which in JavaScript
 * turns it negative after 2^31 requests (days, for a busy app), and a negative id can be
 * neither written into a request nor matched with its response. Keep it unsigned.
 */
export function nextSeq(client: Client): number {
  client.incrSeq();
  if (client.seq < 0) (client as { seq: number }).seq = client.seq >>> 0;
  return client.seq;
}

export class BinaryCommands {
  constructor(
    private readonly client: Client,
    private readonly listener: TransportListener,
  ) {}

  /** The item at `key`, or null when there is none. */
  async get(key: string): Promise<StoredItem | null> {
    const response = await this.exec(key, Opcode.get, Buffer.alloc(0), Buffer.alloc(0));
    const status = response.header.status;
    if (status === Status.keyNotFound) return null;
    if (status !== Status.ok) throw new MemcachedStatusError(status, 'GET');
    const flags = response.extras.length >= 4 ? response.extras.readUInt32BE(0) : 0;
    return { value: response.val, flags, cas: Buffer.from(response.header.cas) };
  }

  /**
   * Stores `value` at `key`. With `cas`, only if the item is still the one that token came from:
   * the answer is then `keyExists` when it changed, `keyNotFound` when it is gone. Returns the status.
   */
  async set(key: string, value: string, flags: number, exptime: number, cas?: Buffer): Promise<number> {
    const extras = Buffer.alloc(8);
    extras.writeUInt32BE(flags >>> 0, 0);
    extras.writeUInt32BE(exptime >>> 0, 4);
    const response = await this.exec(key, Opcode.set, extras, Buffer.from(value, 'utf8'), cas);
    const status = response.header.status;
    if (status === Status.ok || (cas && (status === Status.keyExists || status === Status.keyNotFound))) return status;
    throw new MemcachedStatusError(status, 'SET');
  }

  /** Deletes `key`; a missing key is fine. */
  async delete(key: string): Promise<void> {
    const response = await this.exec(key, Opcode.delete, Buffer.alloc(0), Buffer.alloc(0));
    const status = response.header.status;
    if (status !== Status.ok && status !== Status.keyNotFound) throw new MemcachedStatusError(status, 'DELETE');
  }

  private exec(key: string, opcode: number, extras: Buffer, value: Buffer, cas?: Buffer): Promise<Response> {
    return new Promise((resolve, reject) => {
      const client = this.client;
      // memjs routes by the same key inside perform(); asking first tells us which server failed.
      const server = client.server(key);
      const seq = nextSeq(client);
      const request = encodeRequest(opcode, Buffer.from(key, 'utf8'), extras, value, seq, cas);
      client.perform(key, request, seq, (error: unknown, response?: Response) => {
        if (error || !response) {
          // memjs reports a failed SASL login as a bare string.
          const failure =
            error instanceof Error ? error : new Error(error ? String(error) : 'memjs returned no response');
          if (server) this.listener.unreachable(server, failure);
          reject(failure);
          return;
        }
        if (server) this.listener.answered(server);
        resolve(response);
      });
    });
  }
}
