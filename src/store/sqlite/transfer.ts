// Raw row export and import for `hookd migrate --from/--to` (see store/transfer/). Rows leave and enter
// in the neutral form of transfer-tables.ts: booleans as booleans (0/1 here), JSON as its text, BLOBs
// as Buffers. Import keeps explicit values for everything, seq included (AUTOINCREMENT then continues
// after the highest one), and skips rows whose primary key already exists, so a re-run never
// duplicates; any other uniqueness conflict (a different event with the same seq or idempotency key)
// fails loudly instead of being dropped.

import { assertCatalogueCovers, rowKey, transferTable, type TransferRow, type TransferTable, type TransferValue } from '../transfer-tables.js';
import type { SqliteContext } from './context.js';

export function exportRows(
  ctx: SqliteContext,
  table: TransferTable,
  afterKey: string | null,
  limit: number,
): { rows: TransferRow[]; nextKey: string | null } {
  const spec = transferTable(table);
  if (afterKey === null) {
    const actual = (ctx.stmt(`PRAGMA table_info(${spec.name})`).all() as Array<{ name: string }>).map((c) => c.name);
    assertCatalogueCovers(spec, actual, table === 'inbound_requests' ? ['duplicate_of'] : []);
  }
  const columns = spec.columns.map((c) => c.name).join(', ');
  const where = afterKey === null ? '' : `WHERE ${spec.orderBy} > @after`;
  const sql = `SELECT ${columns} FROM ${spec.name} ${where} ORDER BY ${spec.orderBy} LIMIT +@limit`;
  const after = afterKey === null ? undefined : spec.orderBy === 'seq' ? Number(afterKey) : afterKey;
  const raw = ctx.stmt(sql).all(after === undefined ? { limit } : { after, limit }) as Array<Record<string, unknown>>;
  const rows = raw.map((r) => {
    const row: TransferRow = {};
    for (const column of spec.columns) {
      const value = r[column.name];
      if (column.kind === 'boolean') row[column.name] = value === 1 || value === 1n;
      else if (typeof value === 'bigint') row[column.name] = Number(value);
      else row[column.name] = (value ?? null) as TransferValue;
    }
    return row;
  });
  const last = rows.at(-1);
  return { rows, nextKey: rows.length === limit && last !== undefined ? rowKey(spec, last) : null };
}

/** Insert in one transaction; returns how many rows were new. */
export function importRows(ctx: SqliteContext, table: TransferTable, rows: TransferRow[]): number {
  if (rows.length === 0) return 0;
  const spec = transferTable(table);
  const names = spec.columns.map((c) => c.name);
  // duplicate_of is SQLite-only bookkeeping (no other store keeps it, nothing reads it back): derive it
  // from the accepted request the duplicate was recorded against.
  const extra =
    table === 'inbound_requests'
      ? {
          column: ', duplicate_of',
          value: `, CASE WHEN @verdict = 'duplicate' THEN (SELECT id FROM inbound_requests
              WHERE source_id = @source_id AND dedupe_key = @dedupe_key AND verdict = 'accepted') END`,
        }
      : { column: '', value: '' };
  const sql = `INSERT INTO ${spec.name} (${names.join(', ')}${extra.column})
    VALUES (${names.map((n) => `@${n}`).join(', ')}${extra.value})
    ON CONFLICT (${spec.primaryKey}) DO NOTHING`;
  const insert = ctx.stmt(sql);
  const run = ctx.db.transaction(() => {
    let inserted = 0;
    for (const row of rows) {
      const params: Record<string, unknown> = {};
      for (const column of spec.columns) {
        const value = row[column.name] ?? null;
        params[column.name] = column.kind === 'boolean' ? (value ? 1 : 0) : value;
      }
      inserted += insert.run(params).changes;
    }
    return inserted;
  });
  return run.immediate();
}

export function countRows(ctx: SqliteContext, table: TransferTable): number {
  const spec = transferTable(table);
  return (ctx.stmt(`SELECT count(*) AS n FROM ${spec.name}`).get() as { n: number }).n;
}
