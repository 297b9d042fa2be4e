// Row -> domain mapping that is the same in every SQL adapter: events and deliveries have only
// plain columns (text, integers, bytes), so SQLite and PostgreSQL rows map identically. Adapters keep
// their own mappers only where the dialects differ (booleans, JSON, sealed columns).

import type { Delivery, DeliveryStatus, EventRecord } from '../core/types.js';

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  tenant: string | null;
  payload: string;
  raw_body: Buffer | null;
  idempotency_key: string | null;
  request_hash: string | null;
  source_id: string | null;
  created_at: number;
  trace_context: string | null;
}

export function eventFromRow(r: EventRow): EventRecord {
  return {
    id: r.id,
    type: r.type,
    tenant: r.tenant,
    payload: r.payload,
    rawBody: r.raw_body,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    sourceId: r.source_id,
    traceContext: r.trace_context,
    seq: r.seq,
    createdAt: r.created_at,
  };
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  tenant: string | null;
  event_type: string;
  status: string;
  attempts: number;
  run_attempts: number;
  next_trigger: string;
  run_limit: number | null;
  next_attempt_at: number | null;
  lease_token: number;
  lease_expires_at: number | null;
  lease_owner: string | null;
  last_code: string | null;
  last_status: number | null;
  created_at: number;
  updated_at: number;
  ordering_key: string | null;
  /** 0/1 on SQLite, boolean on PostgreSQL. */
  ordering_blocked: number | boolean;
}

export function deliveryFromRow(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    tenant: r.tenant,
    eventType: r.event_type,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    runAttempts: r.run_attempts,
    nextTrigger: r.next_trigger as Delivery['nextTrigger'],
    runLimit: r.run_limit,
    nextAttemptAt: r.next_attempt_at,
    leaseToken: r.lease_token,
    leaseExpiresAt: r.lease_expires_at,
    leaseOwner: r.lease_owner,
    lastCode: r.last_code,
    lastStatus: r.last_status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    orderingKey: r.ordering_key ?? null,
    orderingBlocked: r.ordering_blocked === true || r.ordering_blocked === 1,
  };
}

