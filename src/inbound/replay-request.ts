// Replay of a logged request: the same bytes go through routing again (event type from the source's
// current rule, the event type's current schema, fan-out to today's endpoints) and become a new event.
// The replay is itself logged, as an accepted request that names the original.
//
// Decisions:
// - Only accepted (or duplicate) requests can be replayed. A rejected request was never verified:
//   replaying it would launder an unauthenticated body into an event.
// - The bytes come from the original event (exact raw body), not from the log's capped display copy.
//   If the event was pruned, the replay is refused rather than rebuilt from a lossy copy.
// - Verification is not re-run: it held when the request arrived, and timestamps would now be stale.
// - The replay has no delivery id (dedupeKey null): replaying twice on purpose makes two events.

import { deriveOrderingKey } from './ordering-key-rule.js';
import { HookdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { InboundRequest, Source } from '../core/inbound-types.js';
import type { ApiContext } from '../api/context.js';
import { iso } from '../api/render.js';
import type { PublishInput } from '../delivery/publisher.js';
import { deriveEventType } from './event-type-rule.js';

export async function replayRequest(ctx: ApiContext, source: Source, requestId: string): Promise<Record<string, unknown>> {
  const original = await ctx.store.getInboundRequest(requestId, source.id);
  if (!original) throw new HookdError('not_found', `No request ${requestId} for source ${source.id}.`);
  if (original.verdict === 'rejected' || original.eventId === null) {
    throw new HookdError('validation_failed', `Request ${requestId} was rejected (${original.code ?? 'unknown'}); only accepted requests can be replayed.`, {
      errors: [{ path: '/params/requestId', message: 'must be an accepted request' }],
    });
  }
  const event = await ctx.store.getEvent(original.eventId, undefined);
  if (!event) throw new HookdError('not_found', `The event ${original.eventId} of request ${requestId} was pruned; its exact bytes are gone, so it cannot be replayed.`);

  // The payload was valid JSON when accepted (it is the text the event carries).
  const data = JSON.parse(event.payload) as unknown;
  const type = deriveEventType(source.eventType, original.headers, data);
  if (!type.ok) throw new HookdError(type.code, `Cannot route the replay: ${type.reason}`, { errors: type.errors });
  const key = deriveOrderingKey(source.orderingKey, original.headers, data);
  if (!key.ok) throw new HookdError(key.code, `Cannot route the replay: ${key.reason}`, { errors: key.errors });

  const input: PublishInput = {
    type: type.type,
    data,
    payload: event.payload,
    tenant: source.tenant,
    idempotencyKey: null,
    rawBody: event.rawBody ?? Buffer.from(event.payload, 'utf8'),
    sourceId: source.id,
    orderingKey: key.key,
  };
  await ctx.publisher.validate(input);
  const now = ctx.now();
  const logged: InboundRequest = {
    ...original,
    id: newId('inboundRequest'),
    receivedAt: now,
    verdict: 'accepted',
    code: null,
    reason: `Replay of ${original.id}; event type ${type.type}.`,
    status: 202,
    remoteAddress: null,
    dedupeKey: null,
    eventId: null,
    tenant: source.tenant,
  };
  const result = await ctx.publisher.publishInbound(logged, input);
  const publish = result.publish;
  if (publish === null || publish.kind === 'conflict') throw new Error('replay: the store did not publish the event');
  return { id: result.request.id, eventId: publish.event.id, type: publish.event.type, replayOf: original.id, deliveries: publish.deliveries, createdAt: iso(publish.event.createdAt) };
}
