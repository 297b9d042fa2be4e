// Sources and the inbound request log. recordInbound writes the log row and publishes the event in
// one transaction, so an accepted request and its event exist together or not at all.

import { asDuplicate, type InboundRequest, type Source } from '../../core/inbound-types.js';
import type { InboundRequestQuery, NewEvent, Page, PageRequest, PublishResult, TenantFilter } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { publishInTransaction } from './publish.js';
import { storableJson, storableText } from './pg-text.js';
import { INBOUND_COLUMNS, SOURCE_COLUMNS, inboundFromRow, placeholders, sourceFromRow, sourceParams } from './rows.js';
import { Where, newestFirst } from './sql-builder.js';

export async function insertSource(ctx: PgContext, s: Source): Promise<void> {
  await query(ctx.pool, `INSERT INTO sources (${SOURCE_COLUMNS}) VALUES (${placeholders(11)})`, sourceParams(s, ctx.box));
}

export async function getSource(ctx: PgContext, id: string, tenant: TenantFilter): Promise<Source | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${SOURCE_COLUMNS} FROM sources WHERE ${where.sql()}`, where.params);
  return rows[0] ? sourceFromRow(rows[0], ctx.box) : null;
}

export async function listSources(ctx: PgContext, tenant: TenantFilter, page: PageRequest): Promise<Page<Source>> {
  const where = new Where().tenant('tenant', tenant);
  const p = newestFirst<Source>(where, 'created_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${SOURCE_COLUMNS} FROM sources WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(
    rows.map((r) => sourceFromRow(r, ctx.box)),
    (s) => [s.createdAt, s.id],
  );
}

export async function updateSource(
  ctx: PgContext,
  id: string,
  tenant: TenantFilter,
  patch: Partial<Omit<Source, 'id' | 'createdAt'>>,
): Promise<Source | null> {
  return withTransaction(ctx.pool, async (client) => {
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const { rows } = await query(client, `SELECT ${SOURCE_COLUMNS} FROM sources WHERE ${where.sql()} FOR UPDATE`, where.params);
    if (!rows[0]) return null;
    const next: Source = { ...sourceFromRow(rows[0], ctx.box) };
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    if (patch.updatedAt === undefined) next.updatedAt = Math.max(next.updatedAt, Date.now());
    const updated = await query(
      client,
      `UPDATE sources SET name = $2, tenant = $3, verify_sealed = $4, allow_ips = $5, event_type = $6,
              max_body_bytes = $7, updated_at = $8, ordering_key_rule = $9, consume_sealed = $10
       WHERE id = $1 RETURNING ${SOURCE_COLUMNS}`,
      sourceParams(next, ctx.box).filter((_, i) => i !== 7), // every column but created_at
    );
    return sourceFromRow(updated.rows[0]!, ctx.box);
  });
}

export async function deleteSource(ctx: PgContext, id: string, tenant: TenantFilter): Promise<boolean> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const r = await query(ctx.pool, `DELETE FROM sources WHERE ${where.sql()}`, where.params);
  return (r.rowCount ?? 0) > 0;
}

const INSERT_INBOUND = `INSERT INTO inbound_requests (${INBOUND_COLUMNS}) VALUES (${placeholders(13)})`;

export async function recordInbound(
  ctx: PgContext,
  request: InboundRequest,
  event: NewEvent | null,
): Promise<{ request: InboundRequest; publish: PublishResult | null; duplicateOf: string | null }> {
  return withTransaction(ctx.pool, async (client) => {
    const row: InboundRequest = { ...request, body: storableText(request.body) };
    if (row.verdict === 'accepted' && row.dedupeKey !== null) {
      // The partial unique index decides the race between two deliveries of the same provider id:
      // the loser's insert does nothing, waits for the winner's commit, and then finds its row.
      const ins = await query(
        client,
        `${INSERT_INBOUND}
         ON CONFLICT (source_id, dedupe_key) WHERE verdict = 'accepted' AND dedupe_key IS NOT NULL DO NOTHING
         RETURNING id`,
        inboundParams(row),
      );
      if (ins.rows.length === 0) {
        const first = await query(
          client,
          `SELECT id, event_id FROM inbound_requests
           WHERE source_id = $1 AND dedupe_key = $2 AND verdict = 'accepted'`,
          [row.sourceId, row.dedupeKey],
        );
        const original = first.rows[0]!;
        const duplicate = asDuplicate(row, original.id, original.event_id);
        await query(client, INSERT_INBOUND, inboundParams(duplicate));
        return { request: duplicate, publish: null, duplicateOf: original.id };
      }
    } else {
      await query(client, INSERT_INBOUND, inboundParams(row));
    }
    if (row.verdict !== 'accepted' || event === null) return { request: row, publish: null, duplicateOf: null };

    const [publish] = (await publishInTransaction(ctx, client, [event])).results;
    const eventId = publish!.event.id;
    if (eventId !== row.eventId) {
      await query(client, 'UPDATE inbound_requests SET event_id = $2 WHERE id = $1', [row.id, eventId]);
    }
    return { request: { ...row, eventId }, publish: publish!, duplicateOf: null };
  });
}

function inboundParams(q: InboundRequest): unknown[] {
  return [
    q.id,
    q.sourceId,
    q.tenant,
    q.receivedAt,
    q.verdict,
    q.code,
    storableText(q.reason),
    q.status,
    q.remoteAddress,
    storableJson(q.headers),
    storableText(q.body),
    q.dedupeKey,
    q.eventId,
  ];
}

export async function getInboundRequest(ctx: PgContext, id: string, sourceId: string): Promise<InboundRequest | null> {
  const { rows } = await query(ctx.pool, `SELECT ${INBOUND_COLUMNS} FROM inbound_requests WHERE id = $1 AND source_id = $2`, [
    id,
    sourceId,
  ]);
  return rows[0] ? inboundFromRow(rows[0]) : null;
}

export async function listInboundRequests(ctx: PgContext, q: InboundRequestQuery, page: PageRequest): Promise<Page<InboundRequest>> {
  const where = new Where([q.sourceId]).add('source_id = $1');
  if (q.verdict !== undefined) where.add(`verdict = ${where.param(q.verdict)}`);
  if (q.since !== undefined) where.add(`received_at >= ${where.param(q.since)}`);
  if (q.until !== undefined) where.add(`received_at < ${where.param(q.until)}`);
  const p = newestFirst<InboundRequest>(where, 'received_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${INBOUND_COLUMNS} FROM inbound_requests WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(rows.map(inboundFromRow), (r) => [r.receivedAt, r.id]);
}
