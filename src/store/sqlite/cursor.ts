// Keyset pagination. A cursor is the base64url of the last row's sort key (an id or a name): opaque
// to clients, stable under inserts, and cheap (an index seek, never OFFSET).

import type { Page } from '../store.js';

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** null for "from the start". A garbage cursor decodes to some string and simply matches nothing odd. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/**
 * Turn `limit + 1` fetched rows into a page: the extra row only proves there is more, so the cursor
 * points at the last row actually returned.
 */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => string): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    data: kept.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
