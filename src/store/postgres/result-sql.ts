// The SQL of recordResults (results.ts): one statement locks endpoint rows, applies the fenced
// delivery updates and inserts the attempts of the results that applied.
//
// Lock order (claims.ts: endpoint rows before delivery rows) inside one statement: the delivery update
// is gated by `(SELECT count(*) FROM locked) >= 0`, an uncorrelated sub-select that PostgreSQL runs
// once, as a one-time filter, before the update reads its first row; so every endpoint lock is held
// before any delivery row is locked. The endpoint rows are locked in id order, like everywhere else.
// A row changed since the statement's snapshot is re-checked against its newest version (the lease
// token fence), and `locked` returns the newest endpoint state, as a second statement would.

/** The endpoints of the batch's deliveries ($1: delivery ids). */
const BATCH_ENDPOINTS = `e.id IN (SELECT endpoint_id FROM deliveries WHERE id = ANY($1::text[]))`;

/**
 * Parameters: $1-$7 delivery updates, $8-$22 attempts (results.ts: applyParams). An attempt is
 * written when its result applied: matched by the result's delivery id ($1), not the attempt's own.
 */
function apply(locked: string): string {
  return `
WITH locked AS MATERIALIZED (${locked}
), updated AS (
  UPDATE deliveries d SET status = u.status, next_attempt_at = u.next_at, last_code = u.last_code,
         last_status = u.last_status, attempts = d.attempts + 1, run_attempts = d.run_attempts + 1,
         next_trigger = 'scheduled',
         updated_at = greatest(d.updated_at, u.at),
         lease_owner = CASE WHEN u.status = 'sending' THEN d.lease_owner END,
         lease_expires_at = CASE WHEN u.status = 'sending' THEN d.lease_expires_at END
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::bigint[])
    AS u(id, token, status, next_at, last_code, last_status, at)
  WHERE d.id = u.id AND d.lease_token = u.token AND d.status = 'sending'
    AND (SELECT count(*) FROM locked) >= 0
  RETURNING d.id, d.endpoint_id, d.status, d.ordering_key
), written AS (
  INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status,
                        code, outcome, message, request_headers, response_headers, response_body, triggered_by)
  SELECT a.id, a.delivery_id, a.endpoint_id, a.event_id, a.tenant, a.created_at, a.duration_ms, a.response_status,
         a.code, a.outcome, a.message, a.request_headers::jsonb, a.response_headers::jsonb, a.response_body, a.trigger
  FROM unnest($1::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::int[],
              $15::int[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])
    AS a(result_of, id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code,
         outcome, message, request_headers, response_headers, response_body, trigger)
  WHERE a.result_of IN (SELECT id FROM updated)
)`;
}

/**
 * The general case, inside the caller's transaction ($23: the NOTIFY channel). Every endpoint of the
 * batch is locked; each applied delivery comes back with its endpoint's newest state (null columns:
 * the endpoint was deleted meanwhile), for the effects to be replayed in batch order. A retry makes
 * work due, so it wakes other processes' dispatchers (delivered on commit; repeated notifications in
 * one transaction are folded into one).
 */
export const APPLY_RESULTS = `${apply(`
  SELECT e.id, e.enabled, e.disabled_reason, e.failing_since, e.updated_at FROM endpoints e
  WHERE ${BATCH_ENDPOINTS}
  ORDER BY e.id
  FOR NO KEY UPDATE`)}
SELECT u.id, u.endpoint_id, l.id IS NOT NULL AS endpoint_found, l.enabled, l.disabled_reason, l.failing_since,
       l.updated_at,
       (SELECT true FROM pg_notify($23, '') WHERE EXISTS (SELECT 1 FROM updated WHERE status = 'pending')) AS notified
FROM updated u LEFT JOIN locked l ON l.id = u.endpoint_id`;

/**
 * Every result a success and nothing else to do (no retry, disable, pause or emitted event). The only
 * endpoint effect is "success clears the failing streak", which does not depend on batch order, so
 * the whole batch is this one statement, committed on its own (one round trip, not a transaction).
 *
 * Only endpoints whose streak is set are locked (and cleared). A healthy endpoint's row is not locked
 * at all, so writing results never waits for, nor holds up, a claim working on the same endpoint:
 * with every endpoint locked, claims and result writes took turns and PostgreSQL throughput halved.
 * "Streak set" is read from the statement's snapshot: a failure committed by another process after
 * that snapshot is left standing, which is the outcome of this success being applied just before it
 * (the two touch different deliveries, so that order is as valid as the commit order). The statement
 * waits for no endpoint lock after its first delivery row lock, so the lock order holds.
 */
export const APPLY_SUCCESSES = `${apply(`
  SELECT e.id FROM endpoints e
  WHERE ${BATCH_ENDPOINTS} AND e.failing_since IS NOT NULL
  ORDER BY e.id
  FOR NO KEY UPDATE`)}, cleared AS (
  UPDATE endpoints e SET failing_since = NULL
  WHERE e.id IN (SELECT id FROM locked) AND e.id IN (SELECT endpoint_id FROM updated)
)
SELECT id, ordering_key FROM updated`;
