// One broker message -> the same path as POST /in/{id}: verification (when the source asks for it),
// JSON, event type and ordering key from the source's rules, catalogue validation, then the log row,
// the dedupe decision, the event and its deliveries in one transaction.
//
// The answer tells the consumer whether it may acknowledge: 'stored' (accepted), 'duplicate' (a
// redelivery absorbed by dedupe) and 'rejected' (logged with its reason: a bad message never becomes
// good by being redelivered, so it is acknowledged too). A store failure throws: the message stays
// unacknowledged and the broker delivers it again.

import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { InboundRequest, InboundVerdict, Source } from '../../core/inbound-types.js';
import type { Publisher, PublishInput } from '../../delivery/publisher.js';
import type { Store } from '../../store/store.js';
import { problemOf } from '../../api/problem.js';
import { checkIngress } from '../ingress-checks.js';
import { logBody, redactHeaders } from '../redact-inbound.js';

export interface BrokerMessage {
  body: Buffer;
  /** Message headers / properties / stream fields, lower-case names. */
  headers: Record<string, string>;
  /** The broker's own id of the message (Redis entry id, AMQP message-id ...); the default dedupe key. */
  brokerId: string | null;
  /** Where it came from, for the log's remoteAddress column: "redis:orders" ... */
  origin: string;
}

export interface IngestDeps {
  store: Store;
  publisher: Publisher;
  now: () => number;
}

export type IngestOutcome = { verdict: InboundVerdict; requestId: string; eventId: string | null; code: string | null };

export async function ingestMessage(deps: IngestDeps, source: Source, message: BrokerMessage): Promise<IngestOutcome> {
  const receivedAt = deps.now();
  // Brokers carry bytes without a media type more often than not; JSON is what a source takes.
  const headers: Record<string, string> = { 'content-type': 'application/json', ...message.headers };
  const entry = (verdict: InboundVerdict, status: number, code: string | null, reason: string | null): InboundRequest => ({
    id: newId('inboundRequest'),
    sourceId: source.id,
    tenant: source.tenant,
    receivedAt,
    verdict,
    code,
    reason,
    status,
    remoteAddress: message.origin,
    headers: redactHeaders(headers, source.verify),
    body: logBody(message.body),
    dedupeKey: null,
    eventId: null,
  });
  const reject = async (code: HookdError['code'], reason: string): Promise<IngestOutcome> => {
    const logged = entry('rejected', problemOf(code).status, code, reason);
    await deps.store.recordInbound(logged, null);
    return { verdict: 'rejected', requestId: logged.id, eventId: null, code };
  };

  const check = checkIngress(source, { headers, contentType: headers['content-type'], body: message.body, now: receivedAt });
  if (!check.ok) return reject(check.code, check.reason);
  const input: PublishInput = { type: check.type, data: check.data, payload: check.payload, tenant: source.tenant, idempotencyKey: null, rawBody: message.body, sourceId: source.id, orderingKey: check.orderingKey };
  try {
    await deps.publisher.validate(input);
  } catch (err) {
    if (err instanceof HookdError) return reject(err.code, err.message);
    throw err;
  }
  // The broker's id first: a redelivery carries it unchanged whatever the producer put in headers.
  const dedupeKey = message.brokerId ?? check.dedupeKey;
  const logged: InboundRequest = { ...entry('accepted', 202, null, `Consumed from ${message.origin}; event type ${check.type}.`), dedupeKey };
  const result = await deps.publisher.publishInbound(logged, input);
  if (result.duplicateOf !== null) return { verdict: 'duplicate', requestId: result.request.id, eventId: result.request.eventId, code: null };
  return { verdict: 'accepted', requestId: result.request.id, eventId: result.request.eventId, code: null };
}
