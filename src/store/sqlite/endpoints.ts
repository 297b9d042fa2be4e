// Endpoint CRUD. Updates read the current row, apply the patch in TypeScript and write every column
// back: with sealed columns a partial SQL update would need the same re-sealing anyway, and one
// statement shape keeps the prepared-statement cache small.

import { publishInTransaction } from './publish.js';
import type { Endpoint } from '../../core/types.js';
import type { EndpointAnnouncements, EndpointPatch, Page, PageRequest, TenantFilter } from '../store.js';
import { CANCEL_PENDING, CANCEL_SENDING } from './claims.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';
import { endpointFromRow, endpointToParams, type EndpointRow } from './rows.js';
import { insertUnderCap } from './tenant-cap.js';

const INSERT = `INSERT INTO endpoints
  (id, tenant, url, description, event_types, auth_sealed, secrets_sealed, headers, timeout_ms,
   rate_limit_per_second, max_concurrency, retry_schedule, payload_format, signing, filter, transform, transform_history,
   enabled, disabled_reason, failing_since, created_at, updated_at, ordering_on_exhausted)
  VALUES (@id, @tenant, @url, @description, @event_types, @auth_sealed, @secrets_sealed, @headers, @timeout_ms,
   @rate_limit_per_second, @max_concurrency, @retry_schedule, @payload_format, @signing, @filter, @transform, @transform_history,
   @enabled, @disabled_reason, @failing_since, @created_at, @updated_at, @ordering_on_exhausted)`;
const UPDATE = `UPDATE endpoints SET url = @url, description = @description, event_types = @event_types,
  auth_sealed = @auth_sealed, secrets_sealed = @secrets_sealed, headers = @headers, timeout_ms = @timeout_ms,
  rate_limit_per_second = @rate_limit_per_second, max_concurrency = @max_concurrency,
  retry_schedule = @retry_schedule, payload_format = @payload_format, signing = @signing, filter = @filter,
  transform = @transform, transform_history = @transform_history, enabled = @enabled,
  disabled_reason = @disabled_reason, failing_since = @failing_since, updated_at = @updated_at,
  ordering_on_exhausted = @ordering_on_exhausted
  WHERE id = @id`;
const GET = `SELECT * FROM endpoints WHERE id = @id AND ${TENANT_CLAUSE}`;
const LIST = `SELECT * FROM endpoints WHERE ${TENANT_CLAUSE} AND (@after IS NULL OR id < @after)
  ORDER BY id DESC LIMIT +@limit`;
const COUNT = `SELECT count(*) AS n FROM endpoints WHERE ${TENANT_CLAUSE}`;
const DELETE = `DELETE FROM endpoints WHERE id = @id AND ${TENANT_CLAUSE}`;

/** `limit`: the tenant's endpoint cap (tenant-cap.ts); false when it is reached and nothing was written. */
export function insertEndpoint(ctx: SqliteContext, endpoint: Endpoint, limit?: number): boolean {
  const params = endpointToParams(endpoint, ctx.box);
  return insertUnderCap(ctx, 'endpoints', endpoint.tenant, limit, () => ctx.stmt(INSERT).run(params));
}

export function getEndpoint(ctx: SqliteContext, id: string, tenant: TenantFilter): Endpoint | null {
  const row = ctx.stmt(GET).get({ id, ...tenantParams(tenant) }) as EndpointRow | undefined;
  return row === undefined ? null : endpointFromRow(row, ctx.box);
}

export function listEndpoints(ctx: SqliteContext, tenant: TenantFilter, page: PageRequest): Page<Endpoint> {
  const rows = ctx.stmt(LIST).all({
    ...tenantParams(tenant),
    after: decodeCursor(page.cursor),
    limit: page.limit + 1,
  }) as EndpointRow[];
  return toPage(rows, page.limit, (r) => endpointFromRow(r, ctx.box), (r) => r.id);
}

export function countEndpoints(ctx: SqliteContext, tenant: TenantFilter): number {
  return (ctx.stmt(COUNT).get(tenantParams(tenant)) as { n: number }).n;
}

export function updateEndpoint(ctx: SqliteContext, id: string, tenant: TenantFilter, patch: EndpointPatch, announce?: EndpointAnnouncements): Endpoint | null {
  const run = ctx.db.transaction(() => {
    const current = getEndpoint(ctx, id, tenant);
    if (current === null) return null;
    const next: Endpoint = { ...current };
    // Only keys present with a value change anything: `undefined` means "leave as is".
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    ctx.stmt(UPDATE).run(endpointToParams(next, ctx.box));
    if (announce?.reEnabled && !current.enabled && next.enabled) publishInTransaction(ctx, [announce.reEnabled(current, next)]);
    return next;
  });
  return run.immediate();
}

export function deleteEndpoint(ctx: SqliteContext, id: string, tenant: TenantFilter, now: number): boolean {
  const run = ctx.db.transaction(() => {
    const deleted = ctx.stmt(DELETE).run({ id, ...tenantParams(tenant) }).changes === 1;
    // The deliveries stay (history), but nothing may be sent to an endpoint that no longer exists.
    // In-flight ones too: if their worker dies, an expired lease would otherwise leave them
    // 'sending' forever (the claim only takes deliveries of existing endpoints); a late result from
    // a live worker is fenced out by the status.
    if (deleted) {
      ctx.stmt(CANCEL_PENDING).run({ endpoint_id: id, code: 'endpoint_deleted', at: now });
      ctx.stmt(CANCEL_SENDING).run({ endpoint_id: id, code: 'endpoint_deleted', at: now });
    }
    return deleted;
  });
  return run.immediate();
}
