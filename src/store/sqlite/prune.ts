// Retention. Runs in batches so one call holds the write lock briefly: the caller loops until a
// call removes nothing. An event with pending or in-flight work is never pruned, whatever its age.

import type { PruneResult } from '../store.js';
import type { SqliteContext } from './context.js';

const PRUNABLE_EVENTS = `SELECT id FROM events e
  WHERE created_at < @before
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('pending', 'sending'))
  ORDER BY created_at LIMIT +@batch`;
const IDS = 'SELECT value FROM json_each(@ids)';
const DELETE_ATTEMPTS = `DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id IN (${IDS}))`;
const DELETE_DELIVERIES = `DELETE FROM deliveries WHERE event_id IN (${IDS})`;
const DELETE_EVENTS = `DELETE FROM events WHERE id IN (${IDS})`;
// Also batched (same batch size) to keep each transaction short.
const DELETE_INBOUND = `DELETE FROM inbound_requests WHERE id IN (
  SELECT id FROM inbound_requests WHERE received_at < @before ORDER BY received_at LIMIT +@batch)`;

export function prune(ctx: SqliteContext, before: number, batchSize: number): PruneResult {
  const run = ctx.db.transaction(() => {
    const ids = (ctx.stmt(PRUNABLE_EVENTS).all({ before, batch: batchSize }) as Array<{ id: string }>).map((r) => r.id);
    const result: PruneResult = { events: 0, deliveries: 0, attempts: 0, inboundRequests: 0 };
    if (ids.length > 0) {
      const params = { ids: JSON.stringify(ids) };
      // Children first: attempts reference deliveries, deliveries reference events.
      result.attempts = ctx.stmt(DELETE_ATTEMPTS).run(params).changes;
      result.deliveries = ctx.stmt(DELETE_DELIVERIES).run(params).changes;
      result.events = ctx.stmt(DELETE_EVENTS).run(params).changes;
    }
    result.inboundRequests = ctx.stmt(DELETE_INBOUND).run({ before, batch: batchSize }).changes;
    return result;
  });
  return run.immediate();
}
