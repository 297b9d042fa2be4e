// Endpoint CRUD. Secrets are sealed in rows.ts; patches are merged in JS under a row lock, so a
// concurrent patch of another field is never lost.

import { publishInTransaction } from './publish.js';
import type { Endpoint } from '../../core/types.js';
import type { EndpointAnnouncements, EndpointPatch, Page, PageRequest, TenantFilter } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { ENDPOINT_COLUMNS, endpointFromRow, endpointParams, placeholders } from './rows.js';
import { Where, newestFirst } from './sql-builder.js';
import { insertUnderCap } from './tenant-cap.js';

/** `limit`: the tenant's endpoint cap (tenant-cap.ts); false when it is reached and nothing was written. */
export async function insertEndpoint(ctx: PgContext, e: Endpoint, limit?: number): Promise<boolean> {
  return insertUnderCap(ctx, 'endpoints', e.tenant, limit, { text: `INSERT INTO endpoints (${ENDPOINT_COLUMNS}) VALUES (${placeholders(23)})`, values: endpointParams(e, ctx.box) });
}

export async function getEndpoint(ctx: PgContext, id: string, tenant: TenantFilter): Promise<Endpoint | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${ENDPOINT_COLUMNS} FROM endpoints WHERE ${where.sql()}`, where.params);
  return rows[0] ? endpointFromRow(rows[0], ctx.box) : null;
}

export async function listEndpoints(ctx: PgContext, tenant: TenantFilter, page: PageRequest): Promise<Page<Endpoint>> {
  const where = new Where().tenant('tenant', tenant);
  const p = newestFirst<Endpoint>(where, 'created_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${ENDPOINT_COLUMNS} FROM endpoints WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(
    rows.map((r) => endpointFromRow(r, ctx.box)),
    (e) => [e.createdAt, e.id],
  );
}

export async function countEndpoints(ctx: PgContext, tenant: TenantFilter): Promise<number> {
  const where = new Where().tenant('tenant', tenant);
  const { rows } = await query<{ n: number }>(ctx.pool, `SELECT count(*) AS n FROM endpoints WHERE ${where.sql()}`, where.params);
  return rows[0]?.n ?? 0;
}

export async function updateEndpoint(
  ctx: PgContext,
  id: string,
  tenant: TenantFilter,
  patch: EndpointPatch,
  announce?: EndpointAnnouncements,
): Promise<Endpoint | null> {
  return withTransaction(ctx.pool, async (client) => {
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const { rows } = await query(client, `SELECT ${ENDPOINT_COLUMNS} FROM endpoints WHERE ${where.sql()} FOR UPDATE`, where.params);
    if (!rows[0]) return null;
    const current = endpointFromRow(rows[0], ctx.box);
    const next: Endpoint = { ...current };
    // Copy only keys present in the patch: `undefined` means "leave as is", never "set to undefined".
    for (const [key, value] of Object.entries(patch) as Array<[keyof EndpointPatch, unknown]>) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    // Re-enabling clears the reason unless the patch sets one explicitly.
    if (patch.enabled === true && patch.disabledReason === undefined) next.disabledReason = null;
    const params = endpointParams(next, ctx.box);
    const sets = ENDPOINT_COLUMNS.split(',')
      .map((c) => c.trim())
      .map((c, i) => (c === 'id' ? null : `${c} = $${i + 1}`))
      .filter((s): s is string => s !== null)
      .join(', ');
    const updated = await query(client, `UPDATE endpoints SET ${sets} WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`, params);
    const after = endpointFromRow(updated.rows[0]!, ctx.box);
    // The row is locked (FOR UPDATE): of racing re-enables, exactly one sees it disabled.
    if (announce?.reEnabled && !current.enabled && after.enabled) await publishInTransaction(ctx, client, [announce.reEnabled(current, after)]);
    return after;
  });
}

export async function deleteEndpoint(ctx: PgContext, id: string, tenant: TenantFilter): Promise<boolean> {
  return withTransaction(ctx.pool, async (client) => {
    // Endpoint row first, then its deliveries: the lock order used everywhere (claims.ts).
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const deleted = await query(client, `DELETE FROM endpoints WHERE ${where.sql()}`, where.params);
    if ((deleted.rowCount ?? 0) === 0) return false;
    // In-flight ('sending') deliveries too: claims never reach a deleted endpoint's rows, so one whose
    // worker died would stay 'sending' forever. An attempt on the wire right now still completes; its
    // result is fenced out (status is no longer 'sending') and not recorded.
    await query(
      client,
      `UPDATE deliveries SET status = 'cancelled', last_code = 'endpoint_deleted', next_attempt_at = NULL,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = greatest(updated_at, $2)
       WHERE endpoint_id = $1 AND status IN ('pending', 'sending')`,
      [id, Date.now()],
    );
    return true;
  });
}
