// recordResults: apply attempt results atomically. Each result is fenced by its lease token, so a
// worker whose lease expired (and whose delivery was re-claimed) cannot overwrite newer state.
//
// Round trips per batch, whatever its size. A batch of plain successes (the common case) is one
// statement committed on its own (result-sql.ts: APPLY_SUCCESSES). Anything else is a transaction:
// one statement locks the endpoints, applies the fenced updates and inserts the attempts; then, only
// when needed, endpoint state, cancellations and emitted events. Endpoint rows are locked first
// (global lock order: endpoints before deliveries, see claims.ts). Their effects are replayed in JS
// in the order of the batch, which keeps the exact sequential meaning of "success clears the streak,
// failure starts it, disable-if-failing-since checks it".

import type pg from 'pg';
import type { DisabledReason } from '../../core/types.js';
import type { AttemptResult, AttemptResultOutcome, NewEvent } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { settleKeys } from './ordering.js';
import { publishInTransaction } from './publish.js';
import { APPLY_RESULTS, APPLY_SUCCESSES } from './result-sql.js';
import { storableJson, storableText } from './pg-text.js';

interface EndpointState {
  enabled: boolean;
  disabledReason: DisabledReason | null;
  failingSince: number | null;
  updatedAt: number;
  /** Latest Retry-After pause asked for in this batch (null: none); only ever extends the stored one. */
  pauseUntil: number | null;
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
  const params = applyParams(candidates.map(({ r }) => r));

  if (candidates.every(({ r }) => isPlainSuccess(r))) {
    const { rows } = await query<{ id: string; ordering_key: string | null }>(ctx.pool, APPLY_SUCCESSES, params);
    const applied = new Set(rows.map((row) => row.id));
    for (const { i, r } of candidates) if (applied.has(r.deliveryId)) outcomes[i] = { applied: true, endpointDisabled: null };
    // A caller that did not say a result was keyed (orderingKey absent): wake its key now. Callers
    // that give the key take the transaction below, where the wake commits with the result.
    const keyed = rows.filter((row) => row.ordering_key !== null).map((row) => row.id);
    if (keyed.length > 0) await withTransaction(ctx.pool, (client) => settleKeys(ctx, client, keyed, wakeAt(candidates.map(({ r }) => r))));
    return outcomes;
  }

  return withTransaction(ctx.pool, async (client) => {
    const { rows } = await query<AppliedRow>(client, APPLY_RESULTS, [...params, ctx.channel]);
    // The delivery row, not the attempt, says which endpoint the effects belong to.
    const endpointOf = new Map(rows.map((row) => [row.id, row.endpoint_id]));
    const endpoints = endpointStates(rows);
    const applied = candidates.filter(({ r }) => endpointOf.has(r.deliveryId));
    if (applied.length === 0) return outcomes;
    for (const { i } of applied) outcomes[i] = { applied: true, endpointDisabled: null };

    // Endpoint effects, in batch order.
    const disabledNow: Array<{ id: string; at: number }> = [];
    const announced: NewEvent[] = [];
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
      if (r.endpoint.pauseUntil !== undefined) {
        st.pauseUntil = Math.max(st.pauseUntil ?? r.endpoint.pauseUntil, r.endpoint.pauseUntil);
        st.changed = true;
      }
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
        if (r.endpoint.announceDisabled) announced.push(r.endpoint.announceDisabled(reason));
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
    await publishInTransaction(ctx, client, [...applied.flatMap(({ r }) => r.emit), ...announced]);
    // Ordered delivery: an ended keyed head wakes the next row of its key, or blocks it (ordering.ts).
    const ended = applied.filter(({ r }) => r.orderingKey !== null && r.update.status !== 'pending' && r.update.status !== 'sending');
    if (ended.length > 0) await settleKeys(ctx, client, ended.map(({ r }) => r.deliveryId), wakeAt(ended.map(({ r }) => r)));
    return outcomes;
  });
}

/**
 * A delivered attempt whose only endpoint effect is "success clears the failing streak", that emits
 * nothing and ends the lease: a batch of these needs no replay and no transaction (result-sql.ts).
 */
function isPlainSuccess(r: AttemptResult): boolean {
  return (
    typeof r.orderingKey !== 'string' &&
    r.update.status === 'succeeded' &&
    r.endpoint.health === 'success' &&
    r.endpoint.disable === undefined &&
    r.endpoint.disableIfFailingSince === undefined &&
    r.endpoint.pauseUntil === undefined &&
    r.emit.length === 0
  );
}

interface AppliedRow {
  id: string;
  endpoint_id: string;
  endpoint_found: boolean;
  enabled: boolean | null;
  disabled_reason: DisabledReason | null;
  failing_since: number | null;
  updated_at: number | null;
}

/** The locked state of the endpoints the applied results belong to (deleted ones are absent). */
function endpointStates(rows: AppliedRow[]): Map<string, EndpointState> {
  const states = new Map<string, EndpointState>();
  for (const r of rows) {
    if (!r.endpoint_found || states.has(r.endpoint_id)) continue;
    states.set(r.endpoint_id, {
      enabled: r.enabled === true,
      disabledReason: r.disabled_reason,
      failingSince: r.failing_since,
      updatedAt: r.updated_at ?? 0,
      pauseUntil: null,
      changed: false,
    });
  }
  return states;
}

/** When a woken row becomes due: the batch's earliest attempt start, so it is due at once. */
function wakeAt(results: AttemptResult[]): number {
  return Math.min(...results.map((r) => r.attempt.createdAt));
}

function finishedAt(r: AttemptResult): number {
  return r.attempt.createdAt + Math.max(0, Math.round(r.attempt.durationMs));
}

async function writeEndpointStates(client: pg.PoolClient, states: Map<string, EndpointState>): Promise<void> {
  const changed = [...states].filter(([, st]) => st.changed);
  if (changed.length === 0) return;
  await query(
    client,
    // greatest() ignores NULLs: a pause only ever moves later, and no pause leaves the stored one.
    `UPDATE endpoints e SET enabled = u.enabled, disabled_reason = u.reason, failing_since = u.failing_since,
            updated_at = u.updated_at, paused_until = greatest(e.paused_until, u.paused_until)
     FROM unnest($1::text[], $2::boolean[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
       AS u(id, enabled, reason, failing_since, updated_at, paused_until)
     WHERE e.id = u.id`,
    [
      changed.map(([id]) => id),
      changed.map(([, st]) => st.enabled),
      changed.map(([, st]) => st.disabledReason),
      changed.map(([, st]) => st.failingSince),
      changed.map(([, st]) => st.updatedAt),
      changed.map(([, st]) => st.pauseUntil),
    ],
  );
}

/** APPLY's parameters $1-$22: the fenced delivery updates, then the attempts (result-sql.ts). */
function applyParams(results: AttemptResult[]): unknown[] {
  const a = results.map((r) => r.attempt);
  return [
    results.map((r) => r.deliveryId),
    results.map((r) => r.leaseToken),
    results.map((r) => r.update.status),
    results.map((r) => r.update.nextAttemptAt),
    results.map((r) => r.update.lastCode),
    results.map((r) => r.update.lastStatus),
    results.map((r) => finishedAt(r)),
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
    a.map((x) => x.trigger),
  ];
}
