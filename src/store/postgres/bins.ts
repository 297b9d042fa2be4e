// Request bins and their captured requests (core/bin-types.ts). Recording a request bumps the bin's
// lifetime count and prunes the bin to its newest `keep` in the same transaction.

import type { Bin, BinRequest } from '../../core/bin-types.js';
import type { MockBehaviour } from '../../core/mock-behaviour.js';
import type { Page, PageRequest, TenantFilter } from '../store.js';
import { storableText } from './pg-text.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { Where, newestFirst } from './sql-builder.js';
import { insertUnderCap } from './tenant-cap.js';

const BIN_COLUMNS = 'id, tenant, name, behaviour, response_body, secret_sealed, expires_at, created_at';
const REQUEST_COLUMNS = 'id, bin_id, method, path, headers, body, size, truncated, remote_address, received_at';

type Row = Record<string, unknown>;

function binFromRow(row: Row, ctx: PgContext): Bin {
  return {
    id: row['id'] as string,
    tenant: row['tenant'] as string | null,
    name: row['name'] as string,
    behaviour: JSON.parse(row['behaviour'] as string) as MockBehaviour,
    responseBody: row['response_body'] as string | null,
    secret: row['secret_sealed'] === null ? null : ctx.box.open(row['secret_sealed'] as string),
    expiresAt: Number(row['expires_at']),
    createdAt: Number(row['created_at']),
  };
}

function binValues(bin: Bin, ctx: PgContext): unknown[] {
  return [
    bin.id,
    bin.tenant,
    storableText(bin.name),
    JSON.stringify(bin.behaviour),
    storableText(bin.responseBody),
    bin.secret === null ? null : ctx.box.seal(bin.secret),
    bin.expiresAt,
    bin.createdAt,
  ];
}

function requestFromRow(row: Row): BinRequest {
  return {
    id: row['id'] as string,
    binId: row['bin_id'] as string,
    method: row['method'] as string,
    path: row['path'] as string,
    headers: JSON.parse(row['headers'] as string) as Record<string, string>,
    body: (row['body'] as Buffer | null) ?? Buffer.alloc(0),
    size: Number(row['size']),
    truncated: row['truncated'] as boolean,
    remoteAddress: row['remote_address'] as string | null,
    receivedAt: Number(row['received_at']),
  };
}

/** `limit`: the tenant's bin cap (tenant-cap.ts); false when it is reached and nothing was written. */
export async function insertBin(ctx: PgContext, bin: Bin, limit?: number): Promise<boolean> {
  return insertUnderCap(ctx, 'bins', bin.tenant, limit, { text: `INSERT INTO bins (${BIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, values: binValues(bin, ctx) });
}

export async function getBin(ctx: PgContext, id: string, tenant: TenantFilter): Promise<Bin | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${BIN_COLUMNS} FROM bins WHERE ${where.sql()}`, where.params);
  return rows[0] ? binFromRow(rows[0], ctx) : null;
}

export async function listBins(ctx: PgContext, tenant: TenantFilter, page: PageRequest): Promise<Page<Bin>> {
  const where = new Where().tenant('tenant', tenant);
  const p = newestFirst<Bin>(where, 'created_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${BIN_COLUMNS} FROM bins WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(
    rows.map((r) => binFromRow(r, ctx)),
    (b) => [b.createdAt, b.id],
  );
}

export async function countBins(ctx: PgContext, tenant: string | null): Promise<number> {
  const where = new Where().tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT count(*) AS n FROM bins WHERE ${where.sql()}`, where.params);
  return Number(rows[0]!['n']);
}

export async function updateBin(ctx: PgContext, id: string, tenant: TenantFilter, patch: Partial<Omit<Bin, 'id' | 'createdAt' | 'tenant'>>): Promise<Bin | null> {
  return withTransaction(ctx.pool, async (client) => {
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const { rows } = await query(client, `SELECT ${BIN_COLUMNS} FROM bins WHERE ${where.sql()} FOR UPDATE`, where.params);
    if (!rows[0]) return null;
    const next: Bin = binFromRow(rows[0], ctx);
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.behaviour !== undefined) next.behaviour = patch.behaviour;
    if (patch.responseBody !== undefined) next.responseBody = patch.responseBody;
    if (patch.secret !== undefined) next.secret = patch.secret;
    if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt;
    const v = binValues(next, ctx);
    await query(client, 'UPDATE bins SET name = $2, behaviour = $3, response_body = $4, secret_sealed = $5, expires_at = $6 WHERE id = $1', [
      v[0], v[2], v[3], v[4], v[5], v[6],
    ]);
    return next;
  });
}

export async function deleteBin(ctx: PgContext, id: string, tenant: TenantFilter): Promise<boolean> {
  return withTransaction(ctx.pool, async (client) => {
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const r = await query(client, `DELETE FROM bins WHERE ${where.sql()}`, where.params);
    if (r.rowCount !== 1) return false;
    await query(client, 'DELETE FROM bin_requests WHERE bin_id = $1', [id]);
    return true;
  });
}

export async function recordBinRequest(ctx: PgContext, request: BinRequest, keep: number): Promise<number | null> {
  return withTransaction(ctx.pool, async (client) => {
    // The row lock on the bin also serialises concurrent captures' pruning of the same bin.
    const bumped = await query(client, 'UPDATE bins SET request_count = request_count + 1 WHERE id = $1 RETURNING request_count', [request.binId]);
    if (!bumped.rows[0]) return null;
    await query(client, `INSERT INTO bin_requests (${REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      request.id,
      request.binId,
      storableText(request.method),
      storableText(request.path),
      JSON.stringify(request.headers),
      request.body,
      request.size,
      request.truncated,
      request.remoteAddress,
      request.receivedAt,
    ]);
    await query(
      client,
      `DELETE FROM bin_requests WHERE bin_id = $1 AND id <= (
         SELECT id FROM bin_requests WHERE bin_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
      [request.binId, keep],
    );
    return Number(bumped.rows[0]['request_count']);
  });
}

export async function listBinRequests(ctx: PgContext, binId: string, page: PageRequest): Promise<Page<BinRequest>> {
  const where = new Where([binId]).add('bin_id = $1');
  const p = newestFirst<BinRequest>(where, 'received_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${REQUEST_COLUMNS} FROM bin_requests WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(rows.map(requestFromRow), (r) => [r.receivedAt, r.id]);
}

export async function getBinRequest(ctx: PgContext, binId: string, id: string): Promise<BinRequest | null> {
  const { rows } = await query(ctx.pool, `SELECT ${REQUEST_COLUMNS} FROM bin_requests WHERE bin_id = $1 AND id = $2`, [binId, id]);
  return rows[0] ? requestFromRow(rows[0]) : null;
}

export async function pruneBins(ctx: PgContext, now: number, batchSize: number): Promise<number> {
  return withTransaction(ctx.pool, async (client) => {
    const { rows } = await query(client, 'DELETE FROM bins WHERE id IN (SELECT id FROM bins WHERE expires_at < $1 ORDER BY expires_at LIMIT $2) RETURNING id', [now, batchSize]);
    const ids = rows.map((r) => r['id'] as string);
    if (ids.length > 0) await query(client, 'DELETE FROM bin_requests WHERE bin_id = ANY($1)', [ids]);
    return ids.length;
  });
}
