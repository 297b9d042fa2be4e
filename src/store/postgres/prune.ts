// Retention. Each call deletes one bounded batch in one statement, so a large backlog is pruned in
// many short transactions instead of one that holds locks for minutes. Events that still have work in
// flight (pending or sending deliveries) are kept whatever their age.

import type { PruneResult } from '../store.js';
import { query, type PgContext } from './pool.js';

export async function prune(ctx: PgContext, before: number, batchSize: number): Promise<PruneResult> {
  const limit = Math.max(1, Math.floor(batchSize));
  // SKIP LOCKED: two processes pruning at once take different batches. Known narrow race: a delivery
  // re-queued (recover) between this statement's snapshot and its delete goes with its event. Recover
  // targets recent windows and retention is days, so we accept it rather than lock every event on requeue.
  const { rows } = await query(
    ctx.pool,
    `WITH victims AS (
       SELECT e.id FROM events e
       WHERE e.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('pending', 'sending'))
       ORDER BY e.created_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), gone_attempts AS (
       -- Through the event's deliveries (deliveries_event_idx, attempts_delivery_idx): attempts have
       -- no index on event_id (migration 17). Every attempt belongs to a delivery of its event, and
       -- both deletes read the statement's one snapshot, so none is missed.
       DELETE FROM attempts a USING deliveries d, victims v WHERE d.event_id = v.id AND a.delivery_id = d.id RETURNING 1
     ), gone_deliveries AS (
       DELETE FROM deliveries d USING victims v WHERE d.event_id = v.id RETURNING 1
     ), gone_events AS (
       DELETE FROM events e USING victims v WHERE e.id = v.id RETURNING 1
     ), gone_inbound AS (
       DELETE FROM inbound_requests r WHERE r.id IN (
         SELECT id FROM inbound_requests WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM gone_events) AS events,
            (SELECT count(*) FROM gone_deliveries) AS deliveries,
            (SELECT count(*) FROM gone_attempts) AS attempts,
            (SELECT count(*) FROM gone_inbound) AS inbound`,
    [before, limit],
  );
  const r = rows[0]!;
  return { events: r.events, deliveries: r.deliveries, attempts: r.attempts, inboundRequests: r.inbound };
}
