// Small helpers for dynamic WHERE clauses and keyset pagination. Values always travel as bind
// parameters; only column names (constants in the callers) are spliced into SQL.

import { HookdError } from '../../core/errors.js';
import type { Page, TenantFilter } from '../store.js';

/** Collects conditions and their parameters. */
export class Where {
  readonly params: unknown[];
  private readonly parts: string[] = [];

  constructor(params: unknown[] = []) {
    this.params = params;
  }

  /** Adds a bind parameter and returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: string): this {
    this.parts.push(condition);
    return this;
  }

  /** The tenant filter of store.ts: undefined = everything, null = rows without tenant, string = that tenant. */
  tenant(column: string, tenant: TenantFilter): this {
    if (tenant === undefined) return this;
    if (tenant === null) return this.add(`${column} IS NULL`);
    return this.add(`${column} = ${this.param(tenant)}`);
  }

  sql(): string {
    return this.parts.length === 0 ? 'TRUE' : this.parts.join(' AND ');
  }
}

// Cursors are opaque to clients but simple inside: the sort key of the last row returned. Keyset
// pagination stays correct while rows are inserted between pages (offsets would skip or repeat).
export function encodeCursor(key: readonly [number | string, string]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A malformed cursor reads as "from the start" would hide client bugs; it is rejected instead. */
export function decodeCursor(cursor: string): [number | string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      (typeof value[0] === 'number' || typeof value[0] === 'string') &&
      typeof value[1] === 'string'
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through
  }
  throw new HookdError('invalid_cursor');
}

/**
 * Newest-first keyset page over (sortColumn, idColumn). Adds the cursor condition to `where` and
 * returns the ORDER BY / LIMIT tail; `finish` turns the fetched rows (limit + 1) into a Page.
 */
export function newestFirst<T>(
  where: Where,
  sortColumn: string,
  idColumn: string,
  page: { limit: number; cursor?: string | undefined },
): { tail: string; finish: (rows: T[], key: (row: T) => [number | string, string]) => Page<T> } {
  if (page.cursor !== undefined && page.cursor !== '') {
    const [sort, id] = decodeCursor(page.cursor);
    where.add(`(${sortColumn}, ${idColumn}) < (${where.param(sort)}, ${where.param(id)})`);
  }
  const limit = Math.max(1, Math.floor(page.limit));
  const tail = `ORDER BY ${sortColumn} DESC, ${idColumn} DESC LIMIT ${limit + 1}`;
  return {
    tail,
    finish: (rows, key) => {
      const data = rows.slice(0, limit);
      const last = data[data.length - 1];
      return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
    },
  };
}
