// Request bins and their captured requests (core/bin-types.ts). A bin keeps at most `keep` requests:
// recording one prunes the oldest beyond that in the same transaction, so a busy bin cannot grow
// without bound.

import type { Bin, BinRequest } from '../../core/bin-types.js';
import type { MockBehaviour } from '../../core/mock-behaviour.js';
import type { Page, PageRequest, TenantFilter } from '../store.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';
import { insertUnderCap } from './tenant-cap.js';

interface BinRow {
  id: string;
  tenant: string | null;
  name: string;
  behaviour: string;
  response_body: string | null;
  secret_sealed: string | null;
  request_count: number;
  expires_at: number;
  created_at: number;
}

interface BinRequestRow {
  id: string;
  bin_id: string;
  method: string;
  path: string;
  headers: string;
  body: Buffer | null;
  size: number;
  truncated: number;
  remote_address: string | null;
  received_at: number;
}

function binFromRow(row: BinRow, ctx: SqliteContext): Bin {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    behaviour: JSON.parse(row.behaviour) as MockBehaviour,
    responseBody: row.response_body,
    secret: row.secret_sealed === null ? null : ctx.box.open(row.secret_sealed),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

function binParams(bin: Bin, ctx: SqliteContext): Record<string, unknown> {
  return {
    id: bin.id,
    tenant: bin.tenant,
    name: bin.name,
    behaviour: JSON.stringify(bin.behaviour),
    response_body: bin.responseBody,
    secret_sealed: bin.secret === null ? null : ctx.box.seal(bin.secret),
    expires_at: bin.expiresAt,
    created_at: bin.createdAt,
  };
}

function requestFromRow(row: BinRequestRow): BinRequest {
  return {
    id: row.id,
    binId: row.bin_id,
    method: row.method,
    path: row.path,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body ?? Buffer.alloc(0),
    size: row.size,
    truncated: row.truncated === 1,
    remoteAddress: row.remote_address,
    receivedAt: row.received_at,
  };
}

/** `limit`: the tenant's bin cap (tenant-cap.ts); false when it is reached and nothing was written. */
export function insertBin(ctx: SqliteContext, bin: Bin, limit?: number): boolean {
  const params = binParams(bin, ctx);
  return insertUnderCap(ctx, 'bins', bin.tenant, limit, () =>
    ctx
      .stmt(`INSERT INTO bins (id, tenant, name, behaviour, response_body, secret_sealed, request_count, expires_at, created_at)
        VALUES (@id, @tenant, @name, @behaviour, @response_body, @secret_sealed, 0, @expires_at, @created_at)`)
      .run(params),
  );
}

export function getBin(ctx: SqliteContext, id: string, tenant: TenantFilter): Bin | null {
  const row = ctx.stmt(`SELECT * FROM bins WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as BinRow | undefined;
  return row === undefined ? null : binFromRow(row, ctx);
}

/** Newest first. The cursor is `createdAt|id` of the last bin returned (bin ids are random, not ordered). */
export function listBins(ctx: SqliteContext, tenant: TenantFilter, page: PageRequest): Page<Bin> {
  const after = decodeCursor(page.cursor);
  const [atText, afterId] = after === null ? [null, null] : after.split('|');
  const at = atText === null || atText === undefined || !/^\d{1,16}$/.test(atText) ? null : Number(atText);
  const rows = ctx
    .stmt(
      `SELECT * FROM bins WHERE ${TENANT_CLAUSE}
       AND (@at IS NULL OR created_at < @at OR (created_at = @at AND id < @after_id))
       ORDER BY created_at DESC, id DESC LIMIT +@limit`,
    )
    .all({ ...tenantParams(tenant), at, after_id: afterId ?? '', limit: page.limit + 1 }) as BinRow[];
  return toPage(rows, page.limit, (r) => binFromRow(r, ctx), (r) => `${r.created_at}|${r.id}`);
}

export function countBins(ctx: SqliteContext, tenant: string | null): number {
  return (ctx.stmt('SELECT count(*) AS n FROM bins WHERE tenant IS ?').get(tenant) as { n: number }).n;
}

export function updateBin(ctx: SqliteContext, id: string, tenant: TenantFilter, patch: Partial<Omit<Bin, 'id' | 'createdAt' | 'tenant'>>): Bin | null {
  const run = ctx.db.transaction(() => {
    const current = getBin(ctx, id, tenant);
    if (current === null) return null;
    const next: Bin = { ...current };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.behaviour !== undefined) next.behaviour = patch.behaviour;
    if (patch.responseBody !== undefined) next.responseBody = patch.responseBody;
    if (patch.secret !== undefined) next.secret = patch.secret;
    if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt;
    ctx
      .stmt(`UPDATE bins SET name = @name, behaviour = @behaviour, response_body = @response_body, secret_sealed = @secret_sealed,
        expires_at = @expires_at WHERE id = @id`)
      .run(binParams(next, ctx));
    return next;
  });
  return run.immediate();
}

export function deleteBin(ctx: SqliteContext, id: string, tenant: TenantFilter): boolean {
  const run = ctx.db.transaction(() => {
    const gone = ctx.stmt(`DELETE FROM bins WHERE id = @id AND ${TENANT_CLAUSE}`).run({ id, ...tenantParams(tenant) }).changes === 1;
    if (gone) ctx.stmt('DELETE FROM bin_requests WHERE bin_id = ?').run(id);
    return gone;
  });
  return run.immediate();
}

/**
 * Store a captured request and prune the bin to its newest `keep`. Returns the bin's request count
 * including this one (the mock behaviour's "nth request"), or null when the bin no longer exists.
 */
export function recordBinRequest(ctx: SqliteContext, request: BinRequest, keep: number): number | null {
  const run = ctx.db.transaction(() => {
    const bumped = ctx.stmt('UPDATE bins SET request_count = request_count + 1 WHERE id = ? RETURNING request_count').get(request.binId) as
      | { request_count: number }
      | undefined;
    if (bumped === undefined) return null;
    ctx
      .stmt(`INSERT INTO bin_requests (id, bin_id, method, path, headers, body, size, truncated, remote_address, received_at)
        VALUES (@id, @bin_id, @method, @path, @headers, @body, @size, @truncated, @remote_address, @received_at)`)
      .run({
        id: request.id,
        bin_id: request.binId,
        method: request.method,
        path: request.path,
        headers: JSON.stringify(request.headers),
        body: request.body,
        size: request.size,
        truncated: request.truncated ? 1 : 0,
        remote_address: request.remoteAddress,
        received_at: request.receivedAt,
      });
    ctx
      .stmt(`DELETE FROM bin_requests WHERE bin_id = @bin_id AND id <= (
        SELECT id FROM bin_requests WHERE bin_id = @bin_id ORDER BY id DESC LIMIT 1 OFFSET @keep)`)
      .run({ bin_id: request.binId, keep });
    return bumped.request_count;
  });
  return run.immediate();
}

/** Newest first (request ids are time-ordered). */
export function listBinRequests(ctx: SqliteContext, binId: string, page: PageRequest): Page<BinRequest> {
  const rows = ctx
    .stmt('SELECT * FROM bin_requests WHERE bin_id = @bin_id AND (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT +@limit')
    .all({ bin_id: binId, after: decodeCursor(page.cursor), limit: page.limit + 1 }) as BinRequestRow[];
  return toPage(rows, page.limit, requestFromRow, (r) => r.id);
}

export function getBinRequest(ctx: SqliteContext, binId: string, id: string): BinRequest | null {
  const row = ctx.stmt('SELECT * FROM bin_requests WHERE bin_id = ? AND id = ?').get(binId, id) as BinRequestRow | undefined;
  return row === undefined ? null : requestFromRow(row);
}

/** Delete bins that expired before `now`, with their requests; returns how many bins went. */
export function pruneBins(ctx: SqliteContext, now: number, batchSize: number): number {
  const run = ctx.db.transaction(() => {
    const ids = (ctx.stmt('SELECT id FROM bins WHERE expires_at < ? ORDER BY expires_at LIMIT +?').all(now, batchSize) as { id: string }[]).map((r) => r.id);
    for (const id of ids) {
      ctx.stmt('DELETE FROM bin_requests WHERE bin_id = ?').run(id);
      ctx.stmt('DELETE FROM bins WHERE id = ?').run(id);
    }
    return ids.length;
  });
  return run.immediate();
}
