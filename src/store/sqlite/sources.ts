// Inbound sources and their request log, including deduplication by provider delivery id.

import { asDuplicate, type InboundRequest, type Source } from '../../core/inbound-types.js';
import type { InboundRequestQuery, NewEvent, Page, PageRequest, PublishResult, TenantFilter } from '../store.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';
import { publishInTransaction } from './publish.js';
import { inboundFromRow, inboundToParams, sourceFromRow, sourceToParams, type InboundRow, type SourceRow } from './rows.js';

const INSERT_SOURCE = `INSERT INTO sources
  (id, name, tenant, verify_sealed, allow_ips, event_type, max_body_bytes, created_at, updated_at, ordering_key_rule, consume_sealed)
  VALUES (@id, @name, @tenant, @verify_sealed, @allow_ips, @event_type, @max_body_bytes, @created_at, @updated_at, @ordering_key_rule, @consume_sealed)`;
const UPDATE_SOURCE = `UPDATE sources SET name = @name, tenant = @tenant, verify_sealed = @verify_sealed,
  allow_ips = @allow_ips, event_type = @event_type, max_body_bytes = @max_body_bytes, updated_at = @updated_at,
  ordering_key_rule = @ordering_key_rule, consume_sealed = @consume_sealed
  WHERE id = @id`;

export function insertSource(ctx: SqliteContext, source: Source): void {
  ctx.stmt(INSERT_SOURCE).run(sourceToParams(source, ctx.box));
}

export function getSource(ctx: SqliteContext, id: string, tenant: TenantFilter): Source | null {
  const row = ctx.stmt(`SELECT * FROM sources WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as
    | SourceRow
    | undefined;
  return row === undefined ? null : sourceFromRow(row, ctx.box);
}

export function listSources(ctx: SqliteContext, tenant: TenantFilter, page: PageRequest): Page<Source> {
  const rows = ctx
    .stmt(`SELECT * FROM sources WHERE ${TENANT_CLAUSE} AND (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT +@limit`)
    .all({ ...tenantParams(tenant), after: decodeCursor(page.cursor), limit: page.limit + 1 }) as SourceRow[];
  return toPage(rows, page.limit, (r) => sourceFromRow(r, ctx.box), (r) => r.id);
}

export function updateSource(
  ctx: SqliteContext,
  id: string,
  tenant: TenantFilter,
  patch: Partial<Omit<Source, 'id' | 'createdAt'>>,
): Source | null {
  const run = ctx.db.transaction(() => {
    const current = getSource(ctx, id, tenant);
    if (current === null) return null;
    const next: Source = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined && key !== 'id' && key !== 'createdAt') (next as unknown as Record<string, unknown>)[key] = value;
    }
    ctx.stmt(UPDATE_SOURCE).run(sourceToParams(next, ctx.box));
    return next;
  });
  return run.immediate();
}

export function deleteSource(ctx: SqliteContext, id: string, tenant: TenantFilter): boolean {
  return ctx.stmt(`DELETE FROM sources WHERE id = @id AND ${TENANT_CLAUSE}`).run({ id, ...tenantParams(tenant) }).changes === 1;
}

const INSERT_INBOUND = `INSERT INTO inbound_requests
  (id, source_id, tenant, received_at, verdict, code, reason, status, remote_address, headers, body, dedupe_key,
   event_id, duplicate_of)
  VALUES (@id, @source_id, @tenant, @received_at, @verdict, @code, @reason, @status, @remote_address, @headers, @body,
   @dedupe_key, @event_id, @duplicate_of)`;
const FIND_ACCEPTED = `SELECT id, event_id FROM inbound_requests
  WHERE source_id = ? AND dedupe_key = ? AND verdict = 'accepted'`;

export function recordInbound(
  ctx: SqliteContext,
  request: InboundRequest,
  event: NewEvent | null,
): { request: InboundRequest; publish: PublishResult | null; duplicateOf: string | null } {
  const run = ctx.db.transaction(() => {
    if (request.verdict === 'accepted' && request.dedupeKey !== null) {
      const first = ctx.stmt(FIND_ACCEPTED).get(request.sourceId, request.dedupeKey) as
        | { id: string; event_id: string | null }
        | undefined;
      if (first !== undefined) {
        // Acknowledged, logged, not re-processed: the provider retried a delivery we already have.
        const duplicate = asDuplicate(request, first.id, first.event_id);
        ctx.stmt(INSERT_INBOUND).run(inboundToParams(duplicate, first.id));
        return { request: duplicate, publish: null, duplicateOf: first.id };
      }
    }
    let publish: PublishResult | null = null;
    let stored = request;
    if (request.verdict === 'accepted' && event !== null) {
      publish = publishInTransaction(ctx, [event])[0] ?? null;
      if (publish !== null && publish.kind !== 'conflict') stored = { ...request, eventId: publish.event.id };
    }
    ctx.stmt(INSERT_INBOUND).run(inboundToParams(stored, null));
    return { request: stored, publish, duplicateOf: null };
  });
  return run.immediate();
}

export function getInboundRequest(ctx: SqliteContext, id: string, sourceId: string): InboundRequest | null {
  const row = ctx.stmt('SELECT * FROM inbound_requests WHERE id = ? AND source_id = ?').get(id, sourceId) as
    | InboundRow
    | undefined;
  return row === undefined ? null : inboundFromRow(row);
}

const LIST_INBOUND = `SELECT * FROM inbound_requests
  WHERE source_id = @source_id AND (@verdict IS NULL OR verdict = @verdict)
    AND (@since IS NULL OR received_at >= @since) AND (@until IS NULL OR received_at < @until)
    AND (@after IS NULL OR id < @after)
  ORDER BY id DESC LIMIT +@limit`;

export function listInboundRequests(ctx: SqliteContext, query: InboundRequestQuery, page: PageRequest): Page<InboundRequest> {
  const rows = ctx.stmt(LIST_INBOUND).all({
    source_id: query.sourceId,
    verdict: query.verdict ?? null,
    since: query.since ?? null,
    until: query.until ?? null,
    after: decodeCursor(page.cursor),
    limit: page.limit + 1,
  }) as InboundRow[];
  return toPage(rows, page.limit, inboundFromRow, (r) => r.id);
}
