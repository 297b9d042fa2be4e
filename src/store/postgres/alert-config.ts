// Alert channels and rules in PostgreSQL. A channel row holds its readable config as jsonb and its
// secrets as one sealed JSON document (core/alert-channel-secrets.ts); rules keep id lists as jsonb.

import { joinChannelTarget, splitChannelTarget } from '../../core/alert-channel-secrets.js';
import type { AlertChannel, AlertChannelKind, AlertRuleKind, AlertRuleRecord, SourceVerdictCount } from '../../core/alert-types.js';
import type { TenantFilter } from '../store.js';
import { query, type PgContext } from './pool.js';
import { Where } from './sql-builder.js';

const CHANNEL_COLUMNS = 'id, name, kind, tenant, config, secrets_sealed, created_at, updated_at';
const RULE_COLUMNS = 'id, name, kind, tenant, threshold, window_ms, endpoint_ids, source_ids, channel_ids, enabled, created_at, updated_at';

function channelFromRow(ctx: PgContext, r: Record<string, unknown>): AlertChannel {
  const secrets = JSON.parse(ctx.box.open(r.secrets_sealed as string)) as Record<string, unknown>;
  return {
    id: r.id as string,
    name: r.name as string,
    tenant: (r.tenant as string | null) ?? null,
    target: joinChannelTarget(r.kind as AlertChannelKind, r.config as Record<string, unknown>, secrets),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function ruleFromRow(r: Record<string, unknown>): AlertRuleRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as AlertRuleKind,
    tenant: (r.tenant as string | null) ?? null,
    threshold: r.threshold === null || r.threshold === undefined ? null : Number(r.threshold),
    windowMs: Number(r.window_ms),
    endpointIds: r.endpoint_ids as string[],
    sourceIds: r.source_ids as string[],
    channelIds: r.channel_ids as string[],
    enabled: r.enabled === true,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export async function insertAlertChannel(ctx: PgContext, c: AlertChannel): Promise<void> {
  const { config, secrets } = splitChannelTarget(c.target);
  await query(ctx.pool, `INSERT INTO alert_channels (${CHANNEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    c.id,
    c.name,
    c.target.kind,
    c.tenant,
    JSON.stringify(config),
    ctx.box.seal(JSON.stringify(secrets)),
    c.createdAt,
    c.updatedAt,
  ]);
}

export async function getAlertChannel(ctx: PgContext, id: string, tenant: TenantFilter): Promise<AlertChannel | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE ${where.sql()}`, where.params);
  return rows[0] ? channelFromRow(ctx, rows[0]) : null;
}

export async function listAlertChannels(ctx: PgContext, tenant: TenantFilter): Promise<AlertChannel[]> {
  const where = new Where().tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE ${where.sql()} ORDER BY created_at, id`, where.params);
  return rows.map((r) => channelFromRow(ctx, r));
}

export async function updateAlertChannel(ctx: PgContext, c: AlertChannel, tenant: TenantFilter): Promise<boolean> {
  const { config, secrets } = splitChannelTarget(c.target);
  const where = new Where([c.id, c.name, c.target.kind, JSON.stringify(config), ctx.box.seal(JSON.stringify(secrets)), c.updatedAt]).add('id = $1').tenant('tenant', tenant);
  const r = await query(ctx.pool, `UPDATE alert_channels SET name = $2, kind = $3, config = $4, secrets_sealed = $5, updated_at = $6 WHERE ${where.sql()}`, where.params);
  return r.rowCount === 1;
}

export async function deleteAlertChannel(ctx: PgContext, id: string, tenant: TenantFilter): Promise<boolean> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const r = await query(ctx.pool, `DELETE FROM alert_channels WHERE ${where.sql()}`, where.params);
  return r.rowCount === 1;
}

export async function insertAlertRule(ctx: PgContext, r: AlertRuleRecord): Promise<void> {
  await query(ctx.pool, `INSERT INTO alert_rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
    r.id,
    r.name,
    r.kind,
    r.tenant,
    r.threshold,
    r.windowMs,
    JSON.stringify(r.endpointIds),
    JSON.stringify(r.sourceIds),
    JSON.stringify(r.channelIds),
    r.enabled,
    r.createdAt,
    r.updatedAt,
  ]);
}

export async function getAlertRule(ctx: PgContext, id: string, tenant: TenantFilter): Promise<AlertRuleRecord | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE ${where.sql()}`, where.params);
  return rows[0] ? ruleFromRow(rows[0]) : null;
}

export async function listAlertRules(ctx: PgContext, tenant: TenantFilter): Promise<AlertRuleRecord[]> {
  const where = new Where().tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE ${where.sql()} ORDER BY created_at, id`, where.params);
  return rows.map(ruleFromRow);
}

export async function updateAlertRule(ctx: PgContext, r: AlertRuleRecord, tenant: TenantFilter): Promise<boolean> {
  const where = new Where([
    r.id,
    r.name,
    r.kind,
    r.threshold,
    r.windowMs,
    JSON.stringify(r.endpointIds),
    JSON.stringify(r.sourceIds),
    JSON.stringify(r.channelIds),
    r.enabled,
    r.updatedAt,
  ])
    .add('id = $1')
    .tenant('tenant', tenant);
  const res = await query(
    ctx.pool,
    `UPDATE alert_rules SET name = $2, kind = $3, threshold = $4, window_ms = $5, endpoint_ids = $6, source_ids = $7,
       channel_ids = $8, enabled = $9, updated_at = $10 WHERE ${where.sql()}`,
    where.params,
  );
  return res.rowCount === 1;
}

export async function deleteAlertRule(ctx: PgContext, id: string, tenant: TenantFilter): Promise<boolean> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const r = await query(ctx.pool, `DELETE FROM alert_rules WHERE ${where.sql()}`, where.params);
  return r.rowCount === 1;
}

export async function sourceVerdictCounts(ctx: PgContext, since: number, until: number): Promise<SourceVerdictCount[]> {
  const { rows } = await query(
    ctx.pool,
    `SELECT source_id, tenant, count(*) AS total, count(*) FILTER (WHERE verdict = 'rejected') AS rejected
     FROM inbound_requests WHERE received_at >= $1 AND received_at < $2 GROUP BY source_id, tenant ORDER BY source_id`,
    [since, until],
  );
  return rows.map((r) => ({ sourceId: r.source_id as string, tenant: (r.tenant as string | null) ?? null, total: Number(r.total), rejected: Number(r.rejected) }));
}
