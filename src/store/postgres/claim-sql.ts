// The SQL of claimDue (claims.ts explains the two-statement design). Both statements are bounded by
// the batch size and the number of endpoints with due work, never by the size of the backlog: every
// read is an index probe or an index range cut off by a LIMIT. A former version grouped every due
// row by endpoint on each claim; with 1,000,000 pending rows its two statements took 0.4 s and 1 s.

import { headOfKey } from './ordering.js';
import { DELIVERY_COLUMNS, ENDPOINT_COLUMNS, EVENT_COLUMNS, aliasedColumns, aliasedColumnsWhen } from './rows.js';

/** Prefixes of the event and endpoint columns that come back with each claimed delivery row. */
export const EVENT_PREFIX = 'ev_';
export const ENDPOINT_PREFIX = 'ep_';
/**
 * Flags of a CLAIM_ROWS row: it carries its event's (endpoint's) columns. A batch of a fan-out holds
 * each event once per endpoint and each endpoint once per claimed row; their columns (the payload,
 * the endpoint's jsonb, which node-postgres parses on every row it receives) come back on one row
 * each and are NULL on the others. Rows without the flag (CLAIM_ONE) carry everything.
 */
export const EVENT_FIRST = 'claim_ev_first';
export const ENDPOINT_FIRST = 'claim_ep_first';

/** Live leases of endpoint `e` at $1: what counts against its maxConcurrency. */
const LIVE_LEASES = `(SELECT count(*) FROM deliveries l
  WHERE l.endpoint_id = e.id AND l.status = 'sending' AND l.lease_expires_at > $1)`;

/**
 * `heads`: each endpoint's earliest pending row, by a loose index scan over deliveries_pending_idx
 * (endpoint_id, next_attempt_at): one probe per endpoint with pending rows. Use after WITH RECURSIVE.
 */
export const PENDING_HEADS = `heads AS (
  (SELECT d.endpoint_id, d.next_attempt_at FROM deliveries d WHERE d.status = 'pending'
   ORDER BY d.endpoint_id, d.next_attempt_at LIMIT 1)
  UNION ALL
  SELECT n.endpoint_id, n.next_attempt_at FROM heads h CROSS JOIN LATERAL (
    SELECT d.endpoint_id, d.next_attempt_at FROM deliveries d
    WHERE d.status = 'pending' AND d.endpoint_id > h.endpoint_id
    ORDER BY d.endpoint_id, d.next_attempt_at LIMIT 1) n
)`;

/** Where statement 1 leaves the ids it locked for statement 2: a transaction-local setting. */
export const CLAIM_ENDPOINTS_SETTING = 'hookd.claim_endpoints';

/**
 * Statement 1 ($1 now, $2 batch size, $3 rate hold): lock the endpoints this claim will work on,
 * earliest due work first. Endpoints with pending rows are found by a loose index scan over
 * deliveries_pending_idx (endpoint_id, next_attempt_at): one probe per endpoint, each giving that
 * endpoint's earliest pending row. Expired leases come from the partial index of 'sending' rows,
 * which holds only in-flight work. A claim keeps next_attempt_at, so an expired lease sorts by its
 * original due time. The filters here (pause, next rate slot, live leases) only spare locking
 * endpoints that cannot take work; statement 2 decides what is claimed.
 */
const LOCKED_ENDPOINTS = `
WITH RECURSIVE ${PENDING_HEADS}, due AS (
  SELECT endpoint_id, next_attempt_at AS first_due FROM heads WHERE next_attempt_at <= $1
  UNION ALL
  SELECT endpoint_id, coalesce(next_attempt_at, lease_expires_at) FROM deliveries
  WHERE status = 'sending' AND lease_expires_at <= $1
)
SELECT e.id FROM endpoints e
  JOIN (SELECT endpoint_id, min(first_due) AS first_due FROM due GROUP BY endpoint_id) f ON f.endpoint_id = e.id
WHERE e.enabled AND (e.paused_until IS NULL OR e.paused_until <= $1)
  AND (e.rate_limit_per_second IS NULL OR e.rate_next_at IS NULL OR e.rate_next_at <= $1 + $3)
  AND e.max_concurrency > ${LIVE_LEASES}
ORDER BY f.first_due, e.id
LIMIT $2
FOR NO KEY UPDATE OF e SKIP LOCKED`;

/**
 * Statement 1 as sent: the locking SELECT above, its ids handed to statement 2 through
 * CLAIM_ENDPOINTS_SETTING (set_config's `true`: until the transaction ends). Both statements are
 * written in one round trip (claims.ts), so statement 2 cannot take the ids as a parameter.
 */
export const LOCK_ENDPOINTS = `
SELECT set_config('${CLAIM_ENDPOINTS_SETTING}', coalesce(array_agg(l.id)::text, '{}'), true) AS locked
FROM (${LOCKED_ENDPOINTS}) l`;

// Rate-limit send slots, the same arithmetic as the SQLite store's rate-slots.ts: slots are 1000/rate
// ms apart from start = max(t, rate_next_at), where t ($6) is the slot clock read when the claim is
// written, with its connection in hand (claims.ts); the room is how many fall within [t, t + hold].
// The epsilon keeps a slot exactly at t + hold when span * rate / 1000 lands a hair below an
// integer (fractional rates). The i-th slot is start + round(i * 1000 / rate), never a rounded
// interval added i times, so 3/s gives 0, 333, 667, 1000 without drift. floor(x + 0.5) is JS's
// Math.round for x >= 0 (PostgreSQL's round(double) rounds half to even).
const RATE_ROOM = `CASE WHEN eps.start > $6 + $5 THEN 0
  ELSE floor((($6 + $5 - eps.start) * eps.rate) / 1000 + 1e-9)::bigint + 1 END`;
const slotAt = (start: string, i: string, rate: string): string => `${start} + floor(${i} * 1000.0 / ${rate} + 0.5)::bigint`;

/**
 * Due rows of endpoint q, in due order: pending ones from deliveries_pending_idx, and expired leases.
 * A keyed row only as the head of its key (ordering.ts: one probe of deliveries_ordering_open and
 * one of deliveries_ordering_sending). Waiting rows of a key are parked (next_attempt_at NULL), so
 * the scan rarely meets a row the head rule refuses.
 * The pending half orders by exactly the index's key, so the scan stops after `take` rows: with an
 * id tie-break added, PostgreSQL read and sorted every due row of the endpoint (thousands of rows
 * with equal times after a batch publish). Ties are ordered by id where it matters, in `chosen`.
 */
const DUE_OF_ENDPOINT = `
    (SELECT d.id, d.next_attempt_at AS due_at FROM deliveries d
     WHERE d.endpoint_id = q.id AND d.status = 'pending' AND d.next_attempt_at <= $1 AND ${headOfKey('d', '$1')}
     ORDER BY d.next_attempt_at LIMIT q.take)
    UNION ALL
    (SELECT d.id, coalesce(d.next_attempt_at, d.lease_expires_at) FROM deliveries d
     WHERE d.endpoint_id = q.id AND d.status = 'sending' AND d.lease_expires_at <= $1 AND ${headOfKey('d', '$1')}
     ORDER BY 2, 1 LIMIT q.take)`;

/**
 * Statement 2 ($1 now, $2 batch size, $3 owner, $4 lease grace, $5 rate hold, $6 slot clock; the
 * endpoints statement 1 locked from CLAIM_ENDPOINTS_SETTING), with a snapshot taken after statement
 * 1's locks were granted (each statement of a READ COMMITTED transaction takes its own, when
 * PostgreSQL reaches it), so it sees every committed lease and the current rate_next_at of those
 * endpoints:
 * - quota: per endpoint, what it may take: min(maxConcurrency - live leases, batch, rate slots);
 * - chosen: each endpoint's first `take` due rows, then the earliest $2 of them all. Read unlocked:
 *   no other claimer touches these endpoints' rows while we hold their locks, so only the rows
 *   chosen are locked (FOR UPDATE SKIP LOCKED re-checks each against its newest version: a row
 *   released or re-queued meanwhile is skipped, and the next claim takes it);
 * - slots are numbered over the rows actually locked, in due order, and rate_next_at moves past
 *   the last one, in this same statement;
 * - the event and endpoint come back with the rows, so a claim needs no further reads: each event's
 *   and each endpoint's columns on its first row only (EVENT_FIRST, ENDPOINT_FIRST). `locked` keeps
 *   only rows whose event exists (no foreign key enforces it: a hand-made delete, a transfer into a
 *   running target), so every row numbered is a row updated and each flag lands on a returned row;
 *   such an orphan is left alone, as the update's join to events always left it, and takes no slot.
 */
export const CLAIM_ROWS = `
WITH eps AS MATERIALIZED (
  SELECT e.id, e.timeout_ms, e.rate_limit_per_second AS rate,
         greatest($6, coalesce(e.rate_next_at, 0)) AS start, e.max_concurrency - ${LIVE_LEASES} AS free
  FROM endpoints e
  WHERE e.id = ANY(current_setting('${CLAIM_ENDPOINTS_SETTING}', true)::text[]) AND e.enabled AND (e.paused_until IS NULL OR e.paused_until <= $1)
), quota AS (
  SELECT eps.id, eps.timeout_ms, eps.rate, eps.start,
         greatest(least(eps.free, $2, CASE WHEN eps.rate > 0 THEN ${RATE_ROOM} ELSE eps.free END), 0) AS take
  FROM eps
), chosen AS (
  SELECT c.id, c.due_at FROM (
    SELECT c.id, c.due_at, q.take, row_number() OVER (PARTITION BY q.id ORDER BY c.due_at, c.id) AS n
    FROM quota q CROSS JOIN LATERAL (${DUE_OF_ENDPOINT}) c
  ) c
  WHERE c.n <= c.take
  ORDER BY c.due_at, c.id
  LIMIT $2
), locked AS MATERIALIZED (
  SELECT d.id, d.endpoint_id, d.event_id, ch.due_at FROM chosen ch JOIN deliveries d ON d.id = ch.id
  WHERE ((d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'sending' AND d.lease_expires_at <= $1))
    AND EXISTS (SELECT 1 FROM events ev WHERE ev.id = d.event_id)
  FOR UPDATE OF d SKIP LOCKED
), numbered AS (
  SELECT l.id, l.endpoint_id, l.event_id, l.due_at, q.timeout_ms, q.rate, q.start,
         row_number() OVER (PARTITION BY l.endpoint_id ORDER BY l.due_at, l.id) - 1 AS slot,
         row_number() OVER (PARTITION BY l.event_id ORDER BY l.due_at, l.id) = 1 AS ev_first
  FROM locked l JOIN quota q ON q.id = l.endpoint_id
), moved AS (
  UPDATE endpoints e SET rate_next_at = ${slotAt('s.start', 's.k', 's.rate')}
  FROM (SELECT endpoint_id, count(*) AS k, min(start) AS start, min(rate) AS rate
        FROM numbered WHERE rate > 0 GROUP BY endpoint_id) s
  WHERE e.id = s.endpoint_id
)
UPDATE deliveries d SET status = 'sending', lease_token = d.lease_token + 1, lease_owner = $3,
       lease_expires_at = $1 + n.timeout_ms + $4, updated_at = $1
FROM numbered n JOIN events ev ON ev.id = n.event_id JOIN endpoints e ON e.id = n.endpoint_id
WHERE d.id = n.id
RETURNING ${aliasedColumns('d', DELIVERY_COLUMNS)}, n.due_at AS claim_due_at,
          CASE WHEN n.rate > 0 THEN ${slotAt('n.start', 'n.slot', 'n.rate')} ELSE $1 END AS claim_send_at,
          n.ev_first AS ${EVENT_FIRST}, n.slot = 0 AS ${ENDPOINT_FIRST},
          ${aliasedColumnsWhen('ev', EVENT_COLUMNS, EVENT_PREFIX, 'n.ev_first')},
          ${aliasedColumnsWhen('e', ENDPOINT_COLUMNS, ENDPOINT_PREFIX, 'n.slot = 0')}`;

/**
 * claimById ($1 id, $2 now, $3 owner, $4 lease grace): after the endpoint row is locked, claim the
 * delivery whatever its due time, unless it is under a live lease or finished. sendAt is now.
 */
export const CLAIM_ONE = `
UPDATE deliveries d SET status = 'sending', lease_token = d.lease_token + 1, lease_owner = $3,
       lease_expires_at = $2 + e.timeout_ms + $4, updated_at = $2
FROM endpoints e JOIN events ev ON true
WHERE d.id = $1 AND e.id = d.endpoint_id AND ev.id = d.event_id AND e.enabled
  AND (d.status = 'pending' OR (d.status = 'sending' AND d.lease_expires_at <= $2))
  AND ${headOfKey('d', '$2')}
RETURNING ${aliasedColumns('d', DELIVERY_COLUMNS)}, $2 AS claim_send_at,
          ${aliasedColumns('ev', EVENT_COLUMNS, EVENT_PREFIX)}, ${aliasedColumns('e', ENDPOINT_COLUMNS, ENDPOINT_PREFIX)}`;
