// Recording attempt results. Every write is fenced by the lease token (`lease_token = ? AND status =
// 'sending'`): a worker whose lease expired and was re-claimed holds an old token, so its late result
// changes nothing, not even the endpoint (health, disable, pause).

import type { DisabledReason } from '../../core/types.js';
import type { AttemptResult, AttemptResultOutcome } from '../store.js';
import { CANCEL_PENDING } from './claims.js';
import type { SqliteContext } from './context.js';
import { settleKeys } from './ordering.js';
import { publishInTransaction } from './publish.js';
import { ATTEMPT_COLUMNS, attemptValues } from './rows.js';

// Positional parameters throughout: binding by name costs a property lookup per parameter, and
// these run once per attempt.
const APPLY_RESULT = `
  UPDATE deliveries SET
    status = ?,
    next_attempt_at = ?,
    last_code = ?,
    last_status = ?,
    attempts = attempts + 1,
    run_attempts = run_attempts + 1,
    next_trigger = 'scheduled',
    -- Twice the same flag, "the update leaves it 'sending'": only then does it keep its lease.
    lease_owner = CASE WHEN ? THEN lease_owner END,
    lease_expires_at = CASE WHEN ? THEN lease_expires_at END,
    updated_at = ?
  WHERE id = ? AND lease_token = ? AND status = 'sending'
  RETURNING endpoint_id`;
const INSERT_ATTEMPT = `INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES (${ATTEMPT_COLUMNS.replace(/\w+/g, '?')})`;
const HEALTH_SUCCESS = 'UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL';
const HEALTH_FAILURE = 'UPDATE endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?';
const DISABLE = `UPDATE endpoints SET enabled = 0, disabled_reason = @reason, updated_at = @at
  WHERE id = @id AND enabled = 1`;
const DISABLE_IF_FAILING = `UPDATE endpoints SET enabled = 0, disabled_reason = 'failing', updated_at = @at
  WHERE id = @id AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= @since`;
// max(): a pause only ever grows, so a stale shorter Retry-After from another process cannot cut a
// longer one short.
const PAUSE = 'UPDATE endpoints SET paused_until = max(coalesce(paused_until, 0), @until) WHERE id = @id';

export function recordResults(ctx: SqliteContext, results: readonly AttemptResult[]): AttemptResultOutcome[] {
  const run = ctx.db.transaction(() => {
    const healthy = new Set<string>();
    const outcomes = results.map((result) => recordOne(ctx, result, healthy));
    // Ordered delivery: an ended head wakes (or, exhausted on a "block" endpoint, blocks) its key.
    // A result that says it has no key (orderingKey null, AttemptResult) skips the per-row lookup.
    const ended = results.filter((r, i) => outcomes[i]!.applied && r.orderingKey !== null && r.update.status !== 'pending' && r.update.status !== 'sending');
    if (ended.length > 0) settleKeys(ctx, ended.map((r) => r.deliveryId), Math.min(...ended.map((r) => r.attempt.createdAt)));
    return outcomes;
  });
  return run.immediate();
}

/**
 * `healthy`: endpoints whose failing streak this transaction has already cleared (and not restarted
 * since). Nothing else writes failing_since while the transaction holds the lock, so the next success
 * for them would change nothing: the statement is skipped, not just its write.
 */
function recordOne(ctx: SqliteContext, result: AttemptResult, healthy: Set<string>): AttemptResultOutcome {
  const at = result.attempt.createdAt;
  const { update } = result;
  const keepLease = update.status === 'sending' ? 1 : 0;
  const updated = ctx
    .stmt(APPLY_RESULT)
    .get(update.status, update.nextAttemptAt, update.lastCode, update.lastStatus, keepLease, keepLease, at, result.deliveryId, result.leaseToken) as
    | { endpoint_id: string }
    | undefined;
  if (updated === undefined) return { applied: false, endpointDisabled: null };

  ctx.stmt(INSERT_ATTEMPT).run(...attemptValues(result.attempt));

  const endpointId = updated.endpoint_id;
  const effect = result.endpoint;
  if (effect.health === 'success') {
    if (!healthy.has(endpointId)) {
      ctx.stmt(HEALTH_SUCCESS).run(endpointId);
      healthy.add(endpointId);
    }
  } else if (effect.health === 'failure') {
    ctx.stmt(HEALTH_FAILURE).run(at, endpointId);
    healthy.delete(endpointId);
  }
  if (effect.pauseUntil !== undefined) ctx.stmt(PAUSE).run({ id: endpointId, until: effect.pauseUntil });

  let endpointDisabled: DisabledReason | null = null;
  if (effect.disable !== undefined) {
    if (ctx.stmt(DISABLE).run({ id: endpointId, reason: effect.disable, at }).changes === 1) {
      endpointDisabled = effect.disable;
    }
  } else if (effect.disableIfFailingSince !== undefined) {
    if (ctx.stmt(DISABLE_IF_FAILING).run({ id: endpointId, since: effect.disableIfFailingSince, at }).changes === 1) {
      endpointDisabled = 'failing';
    }
  }
  if (endpointDisabled !== null) {
    ctx.stmt(CANCEL_PENDING).run({ endpoint_id: endpointId, code: 'endpoint_disabled', at });
  }

  const announced = endpointDisabled !== null && effect.announceDisabled ? [effect.announceDisabled(endpointDisabled)] : [];
  if (result.emit.length > 0 || announced.length > 0) publishInTransaction(ctx, [...result.emit, ...announced]);
  return { applied: true, endpointDisabled };
}
