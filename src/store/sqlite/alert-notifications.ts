// Alert notifications in SQLite: the unique (rule, subject, window, state) row is the claim.

import type { AlertNotificationRecord } from '../../core/alert-types.js';
import type { SqliteContext } from './context.js';

interface Row {
  id: string;
  rule_id: string;
  subject_kind: string;
  subject_id: string;
  tenant: string | null;
  window_start: number;
  state: string;
  summary: string;
  value: number | null;
  threshold: number | null;
  created_at: number;
  outcome: string;
  error: string | null;
}

function fromRow(r: Row): AlertNotificationRecord {
  return {
    id: r.id,
    ruleId: r.rule_id,
    subjectKind: r.subject_kind as AlertNotificationRecord['subjectKind'],
    subjectId: r.subject_id,
    tenant: r.tenant,
    windowStart: r.window_start,
    state: r.state as AlertNotificationRecord['state'],
    summary: r.summary,
    value: r.value,
    threshold: r.threshold,
    createdAt: r.created_at,
    outcome: r.outcome as AlertNotificationRecord['outcome'],
    error: r.error,
  };
}

const INSERT = `INSERT INTO alert_notifications
  (id, rule_id, subject_kind, subject_id, tenant, window_start, state, summary, value, threshold, created_at, outcome, error)
  VALUES (@id, @rule_id, @subject_kind, @subject_id, @tenant, @window_start, @state, @summary, @value, @threshold, @created_at, @outcome, @error)
  ON CONFLICT DO NOTHING`;

export function claimAlertNotification(ctx: SqliteContext, n: AlertNotificationRecord): boolean {
  return (
    ctx.stmt(INSERT).run({
      id: n.id,
      rule_id: n.ruleId,
      subject_kind: n.subjectKind,
      subject_id: n.subjectId,
      tenant: n.tenant,
      window_start: n.windowStart,
      state: n.state,
      summary: n.summary,
      value: n.value,
      threshold: n.threshold,
      created_at: n.createdAt,
      outcome: n.outcome,
      error: n.error,
    }).changes === 1
  );
}

export function setAlertNotificationOutcome(ctx: SqliteContext, id: string, outcome: 'sent' | 'failed', error: string | null): void {
  ctx.stmt('UPDATE alert_notifications SET outcome = @outcome, error = @error WHERE id = @id').run({ id, outcome, error });
}

export function latestAlertNotification(ctx: SqliteContext, ruleId: string, subjectId: string): AlertNotificationRecord | null {
  const row = ctx
    .stmt('SELECT * FROM alert_notifications WHERE rule_id = @rule AND subject_id = @subject ORDER BY created_at DESC, id DESC LIMIT 1')
    .get({ rule: ruleId, subject: subjectId }) as Row | undefined;
  return row ? fromRow(row) : null;
}

export function listAlertNotifications(ctx: SqliteContext, tenant: string | null | undefined, limit: number): AlertNotificationRecord[] {
  const n = Math.max(1, Math.floor(limit));
  const rows = (
    tenant === undefined
      ? ctx.stmt('SELECT * FROM alert_notifications ORDER BY created_at DESC, id DESC LIMIT +@n').all({ n })
      : ctx.stmt('SELECT * FROM alert_notifications WHERE tenant IS @tenant ORDER BY created_at DESC, id DESC LIMIT +@n').all({ n, tenant })
  ) as Row[];
  return rows.map(fromRow);
}

export function pruneAlertNotifications(ctx: SqliteContext, before: number, batchSize: number): number {
  return ctx
    .stmt('DELETE FROM alert_notifications WHERE id IN (SELECT id FROM alert_notifications WHERE created_at < @before ORDER BY created_at LIMIT +@batch)')
    .run({ before, batch: batchSize }).changes;
}
