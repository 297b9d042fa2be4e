// Alert channels and rules in SQLite. A channel row holds its readable config as JSON and its
// secrets as one sealed JSON document (core/alert-channel-secrets.ts); rules keep id lists as JSON.

import { joinChannelTarget, splitChannelTarget } from '../../core/alert-channel-secrets.js';
import type { AlertChannel, AlertChannelKind, AlertRuleKind, AlertRuleRecord, SourceVerdictCount } from '../../core/alert-types.js';
import type { TenantFilter } from '../store.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';

interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  tenant: string | null;
  config: string;
  secrets_sealed: string;
  created_at: number;
  updated_at: number;
}

interface RuleRow {
  id: string;
  name: string;
  kind: string;
  tenant: string | null;
  threshold: number | null;
  window_ms: number;
  endpoint_ids: string;
  source_ids: string;
  channel_ids: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

function channelParams(ctx: SqliteContext, c: AlertChannel): Record<string, unknown> {
  const { config, secrets } = splitChannelTarget(c.target);
  return {
    id: c.id,
    name: c.name,
    kind: c.target.kind,
    tenant: c.tenant,
    config: JSON.stringify(config),
    secrets_sealed: ctx.box.seal(JSON.stringify(secrets)),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function channelFromRow(ctx: SqliteContext, r: ChannelRow): AlertChannel {
  const secrets = JSON.parse(ctx.box.open(r.secrets_sealed)) as Record<string, unknown>;
  return {
    id: r.id,
    name: r.name,
    tenant: r.tenant,
    target: joinChannelTarget(r.kind as AlertChannelKind, JSON.parse(r.config) as Record<string, unknown>, secrets),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function ruleParams(r: AlertRuleRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    tenant: r.tenant,
    threshold: r.threshold,
    window_ms: r.windowMs,
    endpoint_ids: JSON.stringify(r.endpointIds),
    source_ids: JSON.stringify(r.sourceIds),
    channel_ids: JSON.stringify(r.channelIds),
    enabled: r.enabled ? 1 : 0,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function ruleFromRow(r: RuleRow): AlertRuleRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as AlertRuleKind,
    tenant: r.tenant,
    threshold: r.threshold,
    windowMs: r.window_ms,
    endpointIds: JSON.parse(r.endpoint_ids) as string[],
    sourceIds: JSON.parse(r.source_ids) as string[],
    channelIds: JSON.parse(r.channel_ids) as string[],
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const CHANNEL_INSERT = `INSERT INTO alert_channels (id, name, kind, tenant, config, secrets_sealed, created_at, updated_at)
  VALUES (@id, @name, @kind, @tenant, @config, @secrets_sealed, @created_at, @updated_at)`;
const CHANNEL_UPDATE = `UPDATE alert_channels SET name = @name, kind = @kind, config = @config, secrets_sealed = @secrets_sealed,
  updated_at = @updated_at WHERE id = @id AND ${TENANT_CLAUSE}`;
const RULE_INSERT = `INSERT INTO alert_rules (id, name, kind, tenant, threshold, window_ms, endpoint_ids, source_ids, channel_ids, enabled, created_at, updated_at)
  VALUES (@id, @name, @kind, @tenant, @threshold, @window_ms, @endpoint_ids, @source_ids, @channel_ids, @enabled, @created_at, @updated_at)`;
const RULE_UPDATE = `UPDATE alert_rules SET name = @name, kind = @kind, threshold = @threshold, window_ms = @window_ms,
  endpoint_ids = @endpoint_ids, source_ids = @source_ids, channel_ids = @channel_ids, enabled = @enabled, updated_at = @updated_at
  WHERE id = @id AND ${TENANT_CLAUSE}`;

export function insertAlertChannel(ctx: SqliteContext, c: AlertChannel): void {
  ctx.stmt(CHANNEL_INSERT).run(channelParams(ctx, c));
}

export function getAlertChannel(ctx: SqliteContext, id: string, tenant: TenantFilter): AlertChannel | null {
  const row = ctx.stmt(`SELECT * FROM alert_channels WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as ChannelRow | undefined;
  return row ? channelFromRow(ctx, row) : null;
}

export function listAlertChannels(ctx: SqliteContext, tenant: TenantFilter): AlertChannel[] {
  const rows = ctx.stmt(`SELECT * FROM alert_channels WHERE ${TENANT_CLAUSE} ORDER BY created_at, id`).all(tenantParams(tenant)) as ChannelRow[];
  return rows.map((r) => channelFromRow(ctx, r));
}

export function updateAlertChannel(ctx: SqliteContext, c: AlertChannel, tenant: TenantFilter): boolean {
  const { tenant: _own, created_at: _created, ...params } = channelParams(ctx, c);
  return ctx.stmt(CHANNEL_UPDATE).run({ ...params, ...tenantParams(tenant) }).changes === 1;
}

export function deleteAlertChannel(ctx: SqliteContext, id: string, tenant: TenantFilter): boolean {
  return ctx.stmt(`DELETE FROM alert_channels WHERE id = @id AND ${TENANT_CLAUSE}`).run({ id, ...tenantParams(tenant) }).changes === 1;
}

export function insertAlertRule(ctx: SqliteContext, r: AlertRuleRecord): void {
  ctx.stmt(RULE_INSERT).run(ruleParams(r));
}

export function getAlertRule(ctx: SqliteContext, id: string, tenant: TenantFilter): AlertRuleRecord | null {
  const row = ctx.stmt(`SELECT * FROM alert_rules WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as RuleRow | undefined;
  return row ? ruleFromRow(row) : null;
}

export function listAlertRules(ctx: SqliteContext, tenant: TenantFilter): AlertRuleRecord[] {
  const rows = ctx.stmt(`SELECT * FROM alert_rules WHERE ${TENANT_CLAUSE} ORDER BY created_at, id`).all(tenantParams(tenant)) as RuleRow[];
  return rows.map(ruleFromRow);
}

export function updateAlertRule(ctx: SqliteContext, r: AlertRuleRecord, tenant: TenantFilter): boolean {
  const { tenant: _own, created_at: _created, ...params } = ruleParams(r);
  return ctx.stmt(RULE_UPDATE).run({ ...params, ...tenantParams(tenant) }).changes === 1;
}

export function deleteAlertRule(ctx: SqliteContext, id: string, tenant: TenantFilter): boolean {
  return ctx.stmt(`DELETE FROM alert_rules WHERE id = @id AND ${TENANT_CLAUSE}`).run({ id, ...tenantParams(tenant) }).changes === 1;
}

export function sourceVerdictCounts(ctx: SqliteContext, since: number, until: number): SourceVerdictCount[] {
  const rows = ctx
    .stmt(
      `SELECT source_id, tenant, count(*) AS total, sum(CASE WHEN verdict = 'rejected' THEN 1 ELSE 0 END) AS rejected
       FROM inbound_requests WHERE received_at >= @since AND received_at < @until GROUP BY source_id, tenant ORDER BY source_id`,
    )
    .all({ since, until }) as { source_id: string; tenant: string | null; total: number; rejected: number }[];
  return rows.map((r) => ({ sourceId: r.source_id, tenant: r.tenant, total: r.total, rejected: r.rejected }));
}
