// Leases: claiming due deliveries, recording attempt results and giving claims back. Every write is
// fenced by the lease token (`lease_token = ? AND status = 'sending'`): a worker whose lease expired
// and was re-claimed holds an old token, so its late result changes nothing.

import type { DisabledReason } from '../../core/types.js';
import type { AttemptResult, AttemptResultOutcome, Claim, ClaimRequest } from '../store.js';
import type { SqliteContext } from './context.js';
import { publishInTransaction } from './publish.js';
import {
  attemptToParams,
  deliveryFromRow,
  endpointFromRow,
  eventFromRow,
  type DeliveryRow,
  type EndpointRow,
  type EventRow,
} from './rows.js';

/**
 * How many due rows (in due order) the claim query ranks per call, as a multiple of the batch size.
 * Ranking is bounded so a backlog of a million rows does not cost a million-row window per claim.
 * Endpoints already at their concurrency limit are excluded before this cut, so a saturated
 * endpoint's backlog cannot push other endpoints' work out of the window: at worst one call claims
 * fewer than `limit`, and the next call (with that endpoint now saturated) reaches the rest.
 */
const CANDIDATE_WINDOW_FACTOR = 8;

// Due = pending and due, or sending with an expired lease (its worker died). The lease length is
// the endpoint's own timeout plus grace, so a slow endpoint is not re-claimed mid-request.
const CLAIM_DUE = `
  WITH live AS (
    SELECT endpoint_id, count(*) AS n FROM deliveries
    WHERE status = 'sending' AND lease_expires_at > @now
    GROUP BY endpoint_id
  ),
  open_endpoints AS (
    SELECT e.id, e.max_concurrency - coalesce(live.n, 0) AS free
    FROM endpoints e LEFT JOIN live ON live.endpoint_id = e.id
    WHERE e.enabled = 1 AND e.max_concurrency > coalesce(live.n, 0)
  ),
  candidates AS (
    -- Each branch walks its index in time order and stops at @window rows, so the cost does not
    -- grow with the backlog.
    SELECT id, endpoint_id, next_attempt_at FROM (
      SELECT * FROM (
        SELECT id, endpoint_id, next_attempt_at FROM deliveries
        WHERE status = 'pending' AND next_attempt_at <= @now
          AND endpoint_id IN (SELECT id FROM open_endpoints)
        ORDER BY next_attempt_at LIMIT @window)
      UNION ALL
      SELECT * FROM (
        SELECT id, endpoint_id, next_attempt_at FROM deliveries
        WHERE status = 'sending' AND lease_expires_at <= @now
          AND endpoint_id IN (SELECT id FROM open_endpoints)
        ORDER BY lease_expires_at LIMIT @window)
    )
    ORDER BY next_attempt_at, id
    LIMIT @window
  ),
  ranked AS (
    SELECT c.id, c.next_attempt_at, o.free,
      row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.id) AS rn
    FROM candidates c JOIN open_endpoints o ON o.id = c.endpoint_id
  )
  UPDATE deliveries SET
    status = 'sending',
    lease_token = lease_token + 1,
    lease_owner = @owner,
    lease_expires_at = @now + @grace + (SELECT timeout_ms FROM endpoints WHERE endpoints.id = deliveries.endpoint_id),
    updated_at = @now
  WHERE id IN (SELECT id FROM ranked WHERE rn <= free ORDER BY next_attempt_at, id LIMIT @limit)
  RETURNING *`;

// An explicit "send now": ignores the due time, the concurrency limit and the enabled flag (the
// caller asked for this one delivery), but never steals a live lease.
const CLAIM_BY_ID = `
  UPDATE deliveries SET
    status = 'sending',
    lease_token = lease_token + 1,
    lease_owner = @owner,
    lease_expires_at = @now + @grace + (SELECT timeout_ms FROM endpoints WHERE endpoints.id = deliveries.endpoint_id),
    updated_at = @now
  WHERE id = @id
    AND EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id)
    AND (status = 'pending' OR (status = 'sending' AND lease_expires_at <= @now))
  RETURNING *`;

const EVENTS_BY_IDS = 'SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?))';
const ENDPOINTS_BY_IDS = 'SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))';

export function claimDue(ctx: SqliteContext, req: ClaimRequest): Claim[] {
  if (req.limit <= 0) return [];
  const run = ctx.db.transaction(() => {
    const rows = ctx.stmt(CLAIM_DUE).all({
      now: req.now,
      owner: req.owner,
      grace: req.leaseGraceMs,
      limit: req.limit,
      window: req.limit * CANDIDATE_WINDOW_FACTOR,
    }) as DeliveryRow[];
    return hydrate(ctx, rows);
  });
  // IMMEDIATE: take the write lock up front so two processes never rank the same rows.
  return run.immediate();
}

export function claimById(ctx: SqliteContext, id: string, req: ClaimRequest): Claim | null {
  const run = ctx.db.transaction(() => {
    const row = ctx.stmt(CLAIM_BY_ID).get({ id, now: req.now, owner: req.owner, grace: req.leaseGraceMs }) as
      | DeliveryRow
      | undefined;
    return row === undefined ? null : (hydrate(ctx, [row])[0] ?? null);
  });
  return run.immediate();
}

/** Attach events and endpoints with one query each (not one per claim), ordered by due time. */
function hydrate(ctx: SqliteContext, rows: DeliveryRow[]): Claim[] {
  if (rows.length === 0) return [];
  rows.sort((a, b) => (a.next_attempt_at ?? 0) - (b.next_attempt_at ?? 0) || (a.id < b.id ? -1 : 1));
  const eventIds = [...new Set(rows.map((r) => r.event_id))];
  const endpointIds = [...new Set(rows.map((r) => r.endpoint_id))];
  const events = new Map(
    (ctx.stmt(EVENTS_BY_IDS).all(JSON.stringify(eventIds)) as EventRow[]).map((r) => [r.id, eventFromRow(r)]),
  );
  const endpoints = new Map(
    (ctx.stmt(ENDPOINTS_BY_IDS).all(JSON.stringify(endpointIds)) as EndpointRow[]).map((r) => [
      r.id,
      endpointFromRow(r, ctx.box),
    ]),
  );
  const claims: Claim[] = [];
  for (const row of rows) {
    const event = events.get(row.event_id);
    const endpoint = endpoints.get(row.endpoint_id);
    // Both exist: deliveries reference events by foreign key, and the claim queries join endpoints.
    if (event === undefined || endpoint === undefined) throw new Error(`claim ${row.id} lost its event or endpoint`);
    claims.push({ delivery: deliveryFromRow(row), event, endpoint });
  }
  return claims;
}

const APPLY_RESULT = `
  UPDATE deliveries SET
    status = @status,
    next_attempt_at = @next,
    last_code = @code,
    last_status = @last_status,
    attempts = attempts + 1,
    run_attempts = run_attempts + 1,
    lease_owner = CASE WHEN @status = 'sending' THEN lease_owner END,
    lease_expires_at = CASE WHEN @status = 'sending' THEN lease_expires_at END,
    updated_at = @at
  WHERE id = @id AND lease_token = @token AND status = 'sending'
  RETURNING endpoint_id`;
const INSERT_ATTEMPT = `INSERT INTO attempts
  (id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code, outcome,
   message, request_headers, response_headers, response_body)
  VALUES (@id, @delivery_id, @endpoint_id, @event_id, @tenant, @created_at, @duration_ms, @response_status, @code,
   @outcome, @message, @request_headers, @response_headers, @response_body)`;
const HEALTH_SUCCESS = 'UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL';
const HEALTH_FAILURE = 'UPDATE endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?';
const DISABLE = `UPDATE endpoints SET enabled = 0, disabled_reason = @reason, updated_at = @at
  WHERE id = @id AND enabled = 1`;
const DISABLE_IF_FAILING = `UPDATE endpoints SET enabled = 0, disabled_reason = 'failing', updated_at = @at
  WHERE id = @id AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= @since`;
export const CANCEL_PENDING = `UPDATE deliveries SET status = 'cancelled', last_code = @code, next_attempt_at = NULL,
  updated_at = @at WHERE endpoint_id = @endpoint_id AND status = 'pending'`;

export function recordResults(ctx: SqliteContext, results: readonly AttemptResult[]): AttemptResultOutcome[] {
  const run = ctx.db.transaction(() => results.map((result) => recordOne(ctx, result)));
  return run.immediate();
}

function recordOne(ctx: SqliteContext, result: AttemptResult): AttemptResultOutcome {
  const at = result.attempt.createdAt;
  const updated = ctx.stmt(APPLY_RESULT).get({
    id: result.deliveryId,
    token: result.leaseToken,
    status: result.update.status,
    next: result.update.nextAttemptAt,
    code: result.update.lastCode,
    last_status: result.update.lastStatus,
    at,
  }) as { endpoint_id: string } | undefined;
  if (updated === undefined) return { applied: false, endpointDisabled: null };

  ctx.stmt(INSERT_ATTEMPT).run(attemptToParams(result.attempt));

  const endpointId = updated.endpoint_id;
  const effect = result.endpoint;
  if (effect.health === 'success') ctx.stmt(HEALTH_SUCCESS).run(endpointId);
  else if (effect.health === 'failure') ctx.stmt(HEALTH_FAILURE).run(at, endpointId);

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

  if (result.emit.length > 0) publishInTransaction(ctx, result.emit);
  return { applied: true, endpointDisabled };
}

const RELEASE = `UPDATE deliveries SET status = 'pending', next_attempt_at = @at, lease_owner = NULL,
  lease_expires_at = NULL, updated_at = @at
  WHERE id = @id AND lease_token = @token AND status = 'sending'`;

export function releaseClaims(
  ctx: SqliteContext,
  claims: ReadonlyArray<{ deliveryId: string; leaseToken: number }>,
  at: number,
): number {
  const run = ctx.db.transaction(() => {
    let released = 0;
    const statement = ctx.stmt(RELEASE);
    for (const claim of claims) released += statement.run({ id: claim.deliveryId, token: claim.leaseToken, at }).changes;
    return released;
  });
  return run.immediate();
}
