// Cursors the API hands out are opaque to clients; these helpers wrap and check the feed position.

import { HookdError } from '../core/errors.js';

export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeSeqCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^seq:(\d{1,16})$/.exec(text);
  if (!m) throw new HookdError('invalid_cursor', 'The cursor was not produced by this server.');
  return Number(m[1]);
}

export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HookdError('validation_failed', `${field} must be an ISO 8601 date-time.`, { errors: [{ path: `/query/${field}`, message: 'must be an ISO 8601 date-time' }] });
  return t;
}
