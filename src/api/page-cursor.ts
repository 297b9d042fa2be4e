// List cursors as the API hands them out. The stores' own cursors are positions (a sort key); the API
// wraps each with a check value bound to the list it came from, so a cursor the server never issued,
// a truncated one, or one from another list answers 400 invalid_cursor instead of silently reading
// from some other position. The check is integrity, not secrecy: a cursor grants nothing, since
// every list is filtered by the caller's tenant whatever position it starts from.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { HookdError } from '../core/errors.js';

const CHECK_KEY = 'hookd list cursor v1';
const CHECK_BYTES = 12;

function check(list: string, position: string): Buffer {
  return createHmac('sha256', CHECK_KEY).update(`${list}\n${position}`).digest().subarray(0, CHECK_BYTES);
}

/** The cursor for the API answer: null stays null (the end of the list). */
export function sealCursor(list: string, position: string | null): string | null {
  if (position === null) return null;
  return `${Buffer.from(position, 'utf8').toString('base64url')}.${check(list, position).toString('base64url')}`;
}

/** The store position of a cursor this server issued for `list`; undefined for "from the start". */
export function openCursor(list: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const m = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{16})$/.exec(cursor);
  if (m) {
    const position = Buffer.from(m[1]!, 'base64url').toString('utf8');
    const given = Buffer.from(m[2]!, 'base64url');
    const expected = check(list, position);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return position;
  }
  throw new HookdError('invalid_cursor', 'The cursor was not issued by this server for this list: pass back a nextCursor exactly as received, to the list it came from.', {
    errors: [{ path: '/query/cursor', message: 'was not issued for this list' }],
  });
}
