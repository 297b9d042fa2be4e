// Raw row export and import for `hookd migrate --from/--to` (see store/transfer/). Rows leave and enter
// in the neutral form of transfer-tables.ts: jsonb travels as its text (cast on the way out and in),
// bytea as Buffers, bigint as numbers (the pool's parser).
//
// Import keeps explicit seq values, then moves the events sequence past the highest one so later
// publishes continue after the copied feed. It takes the same advisory lock as publish, so a copy into
// a live database cannot interleave seqs with a concurrent publisher. Rows whose primary key exists
// are skipped (a re-run never duplicates); any other uniqueness conflict fails the batch loudly.

import { assertCatalogueCovers, rowKey, transferTable, type ColumnKind, type TransferRow, type TransferTable } from '../transfer-tables.js';
import { storableJson, storableText } from './pg-text.js';
import { LOCK_EVENT_SEQ, query, withTransaction, type PgContext } from './pool.js';

const CAST: Record<ColumnKind, string> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
  bytes: 'bytea',
};

export async function exportRows(
  ctx: PgContext,
  table: TransferTable,
  afterKey: string | null,
  limit: number,
): Promise<{ rows: TransferRow[]; nextKey: string | null }> {
  const spec = transferTable(table);
  if (afterKey === null) {
    const { rows: actual } = await query<{ name: string }>(
      ctx.pool,
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [ctx.schema, spec.name],
    );
    assertCatalogueCovers(spec, actual.map((c) => c.name));
  }
  const columns = spec.columns.map((c) => (c.kind === 'json' ? `${c.name}::text AS ${c.name}` : c.name)).join(', ');
  const params: unknown[] = [Math.max(1, Math.trunc(limit))];
  let where = '';
  if (afterKey !== null) {
    params.push(spec.orderBy === 'seq' ? Number(afterKey) : afterKey);
    where = `WHERE ${spec.orderBy} > $2`;
  }
  const { rows } = await query(ctx.pool, `SELECT ${columns} FROM ${spec.name} ${where} ORDER BY ${spec.orderBy} LIMIT $1`, params);
  const out = rows as TransferRow[];
  const last = out.at(-1);
  return { rows: out, nextKey: out.length === limit && last !== undefined ? rowKey(spec, last) : null };
}

/** Insert in one transaction; returns how many rows were new. */
export async function importRows(ctx: PgContext, table: TransferTable, rows: TransferRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const spec = transferTable(table);
  const names = spec.columns.map((c) => c.name);
  // One statement per chunk: PostgreSQL accepts at most 65535 bind parameters per statement.
  const perChunk = Math.max(1, Math.floor(60_000 / spec.columns.length));
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  for (let start = 0; start < rows.length; start += perChunk) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + perChunk).map((row) => {
      const slots = spec.columns.map((column) => {
        params.push(toPg(column.kind, row[column.name] ?? null));
        return `$${params.length}::${CAST[column.kind]}`;
      });
      return `(${slots.join(', ')})`;
    });
    const sql = `INSERT INTO ${spec.name} (${names.join(', ')}) VALUES ${tuples.join(', ')}
      ON CONFLICT (${spec.primaryKey}) DO NOTHING`;
    statements.push({ sql, params });
  }
  return withTransaction(ctx.pool, async (client) => {
    if (table === 'events') await query(client, 'SELECT pg_advisory_xact_lock($1, $2)', [LOCK_EVENT_SEQ, ctx.schemaKey]);
    let inserted = 0;
    for (const statement of statements) inserted += (await query(client, statement.sql, statement.params)).rowCount ?? 0;
    if (table === 'events') {
      // is_called = true: the next nextval() returns the copied maximum + 1. Never move the sequence
      // backwards (pruned events may have used higher seqs; reusing them would hide new events from
      // feed readers whose cursor is already past them).
      await query(
        client,
        `SELECT setval(s.seq, greatest((SELECT coalesce(max(seq), 0) FROM events), coalesce(pg_sequence_last_value(s.seq), 0), 1))
         FROM (SELECT pg_get_serial_sequence('events', 'seq')::regclass AS seq) s`,
      );
    }
    return inserted;
  });
}

export async function countRows(ctx: PgContext, table: TransferTable): Promise<number> {
  const spec = transferTable(table);
  const { rows } = await query<{ n: number }>(ctx.pool, `SELECT count(*)::bigint AS n FROM ${spec.name}`);
  return rows[0]?.n ?? 0;
}

/** PostgreSQL text and jsonb cannot hold U+0000 (SQLite can): store it as the PG store itself would. */
function toPg(kind: ColumnKind, value: unknown): unknown {
  if (value === null) return null;
  if (kind === 'text' && typeof value === 'string') return storableText(value);
  if (kind === 'json' && typeof value === 'string' && (value.includes('\u0000') || value.includes('\\u0000'))) {
    return storableJson(JSON.parse(value));
  }
  return value;
}
