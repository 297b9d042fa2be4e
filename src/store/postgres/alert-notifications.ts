// Alert notifications in PostgreSQL: the unique (rule, subject, window, state) row is the claim;
// ON CONFLICT DO NOTHING makes concurrent inserts from several processes agree on one winner.

import type { AlertNotificationRecord } from '../../core/alert-types.js';
import { query, type PgContext } from './pool.js';

const COLUMNS = 'id, rule_id, subject_kind, subject_id, tenant, window_start, state, summary, value, threshold, created_at, outcome, error';

function fromRow(r: Record<string, unknown>): AlertNotificationRecord {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    ruleId: r.rule_id as string,
    subjectKind: r.subject_kind as AlertNotificationRecord['subjectKind'],
    subjectId: r.subject_id as string,
    tenant: (r.tenant as string | null) ?? null,
    windowStart: Number(r.window_start),
    state: r.state as AlertNotificationRecord['state'],
    summary: r.summary as string,
    value: num(r.value),
    threshold: num(r.threshold),
    createdAt: Number(r.created_at),
    outcome: r.outcome as AlertNotificationRecord['outcome'],
    error: (r.error as string | null) ?? null,
  };
}

export async function claimAlertNotification(ctx: PgContext, n: AlertNotificationRecord): Promise<boolean> {
  const { rowCount } = await query(
    ctx.pool,
    `INSERT INTO alert_notifications (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
    [n.id, n.ruleId, n.subjectKind, n.subjectId, n.tenant, n.windowStart, n.state, n.summary, n.value, n.threshold, n.createdAt, n.outcome, n.error],
  );
  return rowCount === 1;
}

export async function setAlertNotificationOutcome(ctx: PgContext, id: string, outcome: 'sent' | 'failed', error: string | null): Promise<void> {
  await query(ctx.pool, 'UPDATE alert_notifications SET outcome = $2, error = $3 WHERE id = $1', [id, outcome, error]);
}

export async function latestAlertNotification(ctx: PgContext, ruleId: string, subjectId: string): Promise<AlertNotificationRecord | null> {
  const { rows } = await query(
    ctx.pool,
    `SELECT ${COLUMNS} FROM alert_notifications WHERE rule_id = $1 AND subject_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [ruleId, subjectId],
  );
  const row = rows[0];
  return row ? fromRow(row) : null;
}

export async function listAlertNotifications(ctx: PgContext, tenant: string | null | undefined, limit: number): Promise<AlertNotificationRecord[]> {
  const n = Math.max(1, Math.floor(limit));
  const { rows } =
    tenant === undefined
      ? await query(ctx.pool, `SELECT ${COLUMNS} FROM alert_notifications ORDER BY created_at DESC, id DESC LIMIT $1`, [n])
      : await query(ctx.pool, `SELECT ${COLUMNS} FROM alert_notifications WHERE tenant IS NOT DISTINCT FROM $2 ORDER BY created_at DESC, id DESC LIMIT $1`, [n, tenant]);
  return (rows as Record<string, unknown>[]).map(fromRow);
}

export async function pruneAlertNotifications(ctx: PgContext, before: number, batchSize: number): Promise<number> {
  const { rowCount } = await query(
    ctx.pool,
    'DELETE FROM alert_notifications WHERE id IN (SELECT id FROM alert_notifications WHERE created_at < $1 ORDER BY created_at LIMIT $2)',
    [before, batchSize],
  );
  return rowCount ?? 0;
}
