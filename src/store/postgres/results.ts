// recordResults: apply attempt results in one transaction. Each result is fenced by its lease token,
// so a worker whose lease expired (and whose delivery was re-claimed) cannot overwrite newer state.
//
// Round trips per batch, whatever its size: lock endpoints, fenced update, insert attempts, then only
// when needed: endpoint state, cancellations, emitted events, notify.
// Endpoint rows are locked first (global lock order: endpoints before deliveries, see claims.ts).
// Their effects are then replayed in JS in the order of the batch, which keeps the exact sequential
// meaning of "success clears the streak, failure starts it, disable-if-failing-since checks it".

import type pg from 'pg';
import type { DisabledReason } from '../../core/types.js';
import type { AttemptResult, AttemptResultOutcome } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { notifyWork, publishInTransaction } from './publish.js';
import { storableJson, storableText } from './pg-text.js';

interface EndpointState {
  enabled: boolean;
  disabledReason: DisabledReason | null;
  failingSince: number | null;
  updatedAt: number;
  changed: boolean;
}

export async function recordResults(ctx: PgContext, results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
  const outcomes: AttemptResultOutcome[] = results.map(() => ({ applied: false, endpointDisabled: null }));
  if (results.length === 0) return outcomes;
  // A delivery appearing twice in one batch: only its first result can hold the current token.
  const firstIndex = new Map<string, number>();
  results.forEach((r, i) => {
    if (!firstIndex.has(r.deliveryId)) firstIndex.set(r.deliveryId, i);
  });
  const candidates = [...firstIndex.values()].map((i) => ({ i, r: results[i]! }));

  return withTransaction(ctx.pool, async (client) => {
    const endpoints = await lockEndpointsOf(client, [...firstIndex.keys()]);

    const updated = await query<{ id: string; endpoint_id: string }>(
      client,
      `UPDATE deliveries d SET status = u.status, next_attempt_at = u.next_at, last_code = u.last_code,
              last_status = u.last_status, attempts = d.attempts + 1, run_attempts = d.run_attempts + 1,
              updated_at = greatest(d.updated_at, u.at),
              lease_owner = CASE WHEN u.status = 'sending' THEN d.lease_owner END,
              lease_expires_at = CASE WHEN u.status = 'sending' THEN d.lease_expires_at END
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::bigint[])
         AS u(id, token, status, next_at, last_code, last_status, at)
       WHERE d.id = u.id AND d.lease_token = u.token AND d.status = 'sending'
       RETURNING d.id, d.endpoint_id`,
      [
        candidates.map(({ r }) => r.deliveryId),
        candidates.map(({ r }) => r.leaseToken),
        candidates.map(({ r }) => r.update.status),
        candidates.map(({ r }) => r.update.nextAttemptAt),
        candidates.map(({ r }) => r.update.lastCode),
        candidates.map(({ r }) => r.update.lastStatus),
        candidates.map(({ r }) => finishedAt(r)),
      ],
    );
    // The delivery row, not the attempt, says which endpoint the effects belong to.
    const endpointOf = new Map(updated.rows.map((row) => [row.id, row.endpoint_id]));
    const applied = candidates.filter(({ r }) => endpointOf.has(r.deliveryId));
    if (applied.length === 0) return outcomes;
    for (const { i } of applied) outcomes[i] = { applied: true, endpointDisabled: null };

    await insertAttempts(client, applied.map(({ r }) => r));

    // Endpoint effects, in batch order.
    const disabledNow: Array<{ id: string; at: number }> = [];
    const orphaned: string[] = [];
    for (const { i, r } of applied) {
      const endpointId = endpointOf.get(r.deliveryId)!;
      const st = endpoints.get(endpointId);
      if (!st) {
        // The endpoint was deleted while this attempt was in flight: a retry could never be claimed.
        if (r.update.status === 'pending') orphaned.push(r.deliveryId);
        continue;
      }
      const at = finishedAt(r);
      if (r.endpoint.health === 'success' && st.failingSince !== null) {
        st.failingSince = null;
        st.changed = true;
      } else if (r.endpoint.health === 'failure' && st.failingSince === null) {
        st.failingSince = r.attempt.createdAt;
        st.changed = true;
      }
      let reason: DisabledReason | null = null;
      if (r.endpoint.disable !== undefined) reason = r.endpoint.disable;
      else if (
        r.endpoint.disableIfFailingSince !== undefined &&
        st.failingSince !== null &&
        st.failingSince <= r.endpoint.disableIfFailingSince
      ) {
        reason = 'failing';
      }
      if (reason !== null && st.enabled) {
        st.enabled = false;
        st.disabledReason = reason;
        st.updatedAt = Math.max(st.updatedAt, at);
        st.changed = true;
        disabledNow.push({ id: endpointId, at });
        outcomes[i] = { applied: true, endpointDisabled: reason };
      }
    }
    await writeEndpointStates(client, endpoints);
    if (disabledNow.length > 0) {
      await query(
        client,
        `UPDATE deliveries d SET status = 'cancelled', last_code = 'endpoint_disabled', next_attempt_at = NULL,
                updated_at = greatest(d.updated_at, u.at)
         FROM unnest($1::text[], $2::bigint[]) AS u(endpoint_id, at)
         WHERE d.endpoint_id = u.endpoint_id AND d.status = 'pending'`,
        [disabledNow.map((x) => x.id), disabledNow.map((x) => x.at)],
      );
    }
    if (orphaned.length > 0) {
      await query(
        client,
        `UPDATE deliveries SET status = 'cancelled', last_code = 'endpoint_deleted', next_attempt_at = NULL
         WHERE id = ANY($1::text[]) AND status = 'pending'`,
        [orphaned],
      );
    }

    const emits = applied.flatMap(({ r }) => r.emit);
    const published = await publishInTransaction(ctx, client, emits);
    const retries = applied.some(({ r }) => r.update.status === 'pending');
    if (retries && published.created === 0) await notifyWork(ctx, client);
    return outcomes;
  });
}

function finishedAt(r: AttemptResult): number {
  return r.attempt.createdAt + Math.max(0, Math.round(r.attempt.durationMs));
}

async function lockEndpointsOf(client: pg.PoolClient, deliveryIds: string[]): Promise<Map<string, EndpointState>> {
  const { rows } = await query(
    client,
    `SELECT id, enabled, disabled_reason, failing_since, updated_at FROM endpoints
     WHERE id IN (SELECT endpoint_id FROM deliveries WHERE id = ANY($1::text[]))
     ORDER BY id FOR NO KEY UPDATE`,
    [deliveryIds],
  );
  return new Map(
    rows.map((r) => [
      r.id as string,
      {
        enabled: r.enabled,
        disabledReason: r.disabled_reason,
        failingSince: r.failing_since,
        updatedAt: r.updated_at,
        changed: false,
      },
    ]),
  );
}

async function writeEndpointStates(client: pg.PoolClient, states: Map<string, EndpointState>): Promise<void> {
  const changed = [...states].filter(([, st]) => st.changed);
  if (changed.length === 0) return;
  await query(
    client,
    `UPDATE endpoints e SET enabled = u.enabled, disabled_reason = u.reason, failing_since = u.failing_since,
            updated_at = u.updated_at
     FROM unnest($1::text[], $2::boolean[], $3::text[], $4::bigint[], $5::bigint[])
       AS u(id, enabled, reason, failing_since, updated_at)
     WHERE e.id = u.id`,
    [
      changed.map(([id]) => id),
      changed.map(([, st]) => st.enabled),
      changed.map(([, st]) => st.disabledReason),
      changed.map(([, st]) => st.failingSince),
      changed.map(([, st]) => st.updatedAt),
    ],
  );
}

async function insertAttempts(client: pg.PoolClient, results: AttemptResult[]): Promise<void> {
  const a = results.map((r) => r.attempt);
  await query(
    client,
    `INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status,
                           code, outcome, message, request_headers, response_headers, response_body)
     SELECT u.id, u.delivery_id, u.endpoint_id, u.event_id, u.tenant, u.created_at, u.duration_ms, u.response_status,
            u.code, u.outcome, u.message, u.request_headers::jsonb, u.response_headers::jsonb, u.response_body
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::int[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
       AS u(id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code, outcome,
            message, request_headers, response_headers, response_body)`,
    [
      a.map((x) => x.id),
      a.map((x) => x.deliveryId),
      a.map((x) => x.endpointId),
      a.map((x) => x.eventId),
      a.map((x) => x.tenant),
      a.map((x) => x.createdAt),
      a.map((x) => Math.round(x.durationMs)),
      a.map((x) => x.responseStatus),
      a.map((x) => x.code),
      a.map((x) => x.outcome),
      a.map((x) => storableText(x.message)),
      a.map((x) => storableJson(x.requestHeaders)),
      a.map((x) => (x.responseHeaders === null ? null : storableJson(x.responseHeaders))),
      a.map((x) => storableText(x.responseBody)),
    ],
  );
}
