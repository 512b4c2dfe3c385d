import { isSessionObject } from '@session-stores/core';

/**
 * How a serialized session goes into the `sess` json column and back.
 *
 * The column is read as `sess::text`, so the driver never parses it and `json` hands back the
 * exact text that was written (`\u0000` and lone surrogates included; jsonb would reject the
 * first and normalize the rest). JSON object text, which the default serializer and the
 * encryption envelope always produce, is stored as it is, so connect-pg-simple and people in
 * psql see a normal session object. Anything else a custom serializer returns is stored as a
 * JSON string and unwrapped on the way out.
 */
export function toSessColumn(payload: string, payloadIsJson: boolean): string {
  if (payloadIsJson || isJsonObjectText(payload)) return payload;
  return JSON.stringify(payload);
}

export function fromSessColumn(text: string): string {
  return text.startsWith('"') ? (JSON.parse(text) as string) : text;
}

function isJsonObjectText(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    return isSessionObject(JSON.parse(text));
  } catch {
    return false;
  }
}
