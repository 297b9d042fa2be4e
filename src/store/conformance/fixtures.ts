// Builders and lifecycle helpers shared by the conformance areas. Written against the Store
// interface only, so every adapter runs the same cases. Times are fixed (T0) so that assertions can
// name exact values instead of "about now".

import { afterEach, beforeEach, expect } from 'vitest';
import type { AuditRecord } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import type { InboundRequest, Source } from '../../core/inbound-types.js';
import type { ApiKey, Attempt, Delivery, DeliveryStatus, Endpoint, EventRecord } from '../../core/types.js';
import type { AttemptResult, Claim, ClaimRequest, EndpointEffect, NewEvent, Store } from '../store.js';

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * A factory whose result may also open more stores on the same database, as other processes would
 * (required for the multi-process section when the store declares capabilities.multiProcess).
 */
export type PeerFactory = () => Promise<{ store: Store; cleanup: () => Promise<void>; openPeer?: () => Promise<Store> }>;

/** A fixed clock origin (2027-01-15). */
export const T0 = 1_800_000_000_000;
export const ALL = { limit: 250 } as const;

/**
 * A fresh, migrated store for every test. The suite calls migrate() itself (so a factory may hand
 * over an unmigrated store; calling it on a migrated one must be a no-op), and close() before the
 * factory's cleanup.
 */
export function useStore(factory: StoreFactory): () => Store {
  let current: { store: Store; cleanup: () => Promise<void> } | null = null;
  beforeEach(async () => {
    current = await factory();
    await current.store.migrate();
  });
  afterEach(async () => {
    const held = current;
    current = null;
    if (held !== null) {
      await held.store.close();
      await held.cleanup();
    }
  });
  return () => {
    if (current === null) throw new Error('the store is only available inside a test');
    return current.store;
  };
}

export function makeEndpoint(over: Partial<Endpoint> = {}): Endpoint {
  return {
    id: newId('endpoint'),
    tenant: null,
    url: 'https://receiver.example.com/hooks',
    description: null,
    eventTypes: null,
    auth: { type: 'none' },
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
    headers: {},
    timeoutMs: 15_000,
    rateLimitPerSecond: null,
    maxConcurrency: 10,
    retrySchedule: null,
    payloadFormat: 'envelope',
    signing: 'hmac',
    ordering: { onExhausted: 'block' },
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export async function addEndpoint(store: Store, over: Partial<Endpoint> = {}): Promise<Endpoint> {
  const endpoint = makeEndpoint(over);
  await store.insertEndpoint(endpoint);
  return endpoint;
}

export function makeEvent(over: Partial<NewEvent> = {}): NewEvent {
  return {
    id: newId('event'),
    type: 'chat.started',
    tenant: null,
    payload: '{"chatId":"c-1","n":1}',
    rawBody: null,
    idempotencyKey: null,
    requestHash: null,
    sourceId: null,
    createdAt: T0,
    deliveryIds: () => newId('delivery'),
    ...over,
  };
}

/** Publish one event that must be created; returns it with its deliveries. */
export async function publish(
  store: Store,
  over: Partial<NewEvent> = {},
): Promise<{ event: EventRecord; count: number; deliveries: Delivery[] }> {
  const [result] = await store.publishEvents([makeEvent(over)]);
  if (result?.kind !== 'created') throw new Error(`expected a created event, got ${result?.kind}`);
  return { event: result.event, count: result.deliveries, deliveries: await deliveriesOf(store, result.event.id) };
}

export async function deliveriesOf(store: Store, eventId: string): Promise<Delivery[]> {
  return (await store.listDeliveries({ tenant: undefined, eventId }, ALL)).data;
}

export async function mustGetDelivery(store: Store, id: string): Promise<Delivery> {
  const delivery = await store.getDelivery(id, undefined);
  expect(delivery).not.toBeNull();
  return delivery!;
}

export function claimRequest(now: number, over: Partial<ClaimRequest> = {}): ClaimRequest {
  return { now, limit: 100, owner: 'worker-1', leaseGraceMs: 1_000, ...over };
}

export function makeAttempt(claim: Claim, over: Partial<Attempt> = {}): Attempt {
  return {
    id: newId('attempt'),
    deliveryId: claim.delivery.id,
    endpointId: claim.endpoint.id,
    eventId: claim.event.id,
    tenant: claim.delivery.tenant,
    createdAt: T0,
    durationMs: 42,
    responseStatus: 200,
    code: 'ok',
    outcome: 'success',
    trigger: 'scheduled',
    message: null,
    requestHeaders: { 'content-type': 'application/json', 'webhook-id': claim.event.id },
    responseHeaders: { 'content-type': 'text/plain' },
    responseBody: 'ok',
    ...over,
  };
}

export interface ResultOptions {
  at?: number;
  status?: DeliveryStatus;
  nextAttemptAt?: number | null;
  code?: string;
  responseStatus?: number | null;
  durationMs?: number;
  leaseToken?: number;
  endpoint?: EndpointEffect;
  emit?: NewEvent[];
}

/** A result for a claim: success by default, or the status/code given. */
export function resultFor(claim: Claim, options: ResultOptions = {}): AttemptResult {
  const status = options.status ?? 'succeeded';
  const code = options.code ?? (status === 'succeeded' ? 'ok' : 'http_server_error');
  const responseStatus = options.responseStatus !== undefined ? options.responseStatus : status === 'succeeded' ? 200 : 500;
  return {
    deliveryId: claim.delivery.id,
    orderingKey: claim.delivery.orderingKey ?? null,
    leaseToken: options.leaseToken ?? claim.delivery.leaseToken,
    attempt: makeAttempt(claim, {
      createdAt: options.at ?? T0,
      code,
      responseStatus,
      durationMs: options.durationMs ?? 42,
      outcome: status === 'succeeded' ? 'success' : status === 'pending' ? 'retry' : 'fail',
    }),
    update: {
      status,
      nextAttemptAt: options.nextAttemptAt !== undefined ? options.nextAttemptAt : null,
      lastCode: code,
      lastStatus: responseStatus,
    },
    endpoint: options.endpoint ?? { health: status === 'succeeded' ? 'success' : 'failure' },
    emit: options.emit ?? [],
  };
}

/** Claim exactly one delivery at `now` (fails the test otherwise). */
export async function claimOne(store: Store, now: number, over: Partial<ClaimRequest> = {}): Promise<Claim> {
  const claims = await store.claimDue(claimRequest(now, over));
  expect(claims).toHaveLength(1);
  return claims[0]!;
}

/** An audit record as a request of an API key would leave it (`over` replaces any field). */
export function makeAuditRecord(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId('audit'),
    at: T0,
    actorKind: 'api_key',
    actorId: 'key_1',
    actorName: 'ops',
    tenant: 'acme',
    requestId: 'req-1',
    action: 'endpoint.update',
    target: 'ep_1',
    diff: { body: { description: 'x', secret: '[redacted]' } },
    ...over,
  };
}

export function makeApiKey(over: Partial<ApiKey> = {}): ApiKey {
  const id = newId('apiKey');
  return {
    id,
    name: 'ci',
    role: 'admin',
    tenant: null,
    hash: `hash-${id}`,
    prefix: 'hk_abcd',
    createdAt: T0,
    revokedAt: null,
    lastUsedAt: null,
    ...over,
  };
}

export function makeSource(over: Partial<Source> = {}): Source {
  return {
    id: newId('source'),
    name: 'stripe',
    tenant: null,
    verify: { scheme: 'stripe', secret: 'whsec_stripe_test_secret', toleranceSeconds: 300 },
    allowIps: null,
    eventType: { pointer: '/type' },
    orderingKey: null,
    maxBodyBytes: null,
    consume: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function makeInbound(source: Source, over: Partial<InboundRequest> = {}): InboundRequest {
  return {
    id: newId('inboundRequest'),
    sourceId: source.id,
    tenant: source.tenant,
    receivedAt: T0,
    verdict: 'accepted',
    code: null,
    reason: null,
    status: 202,
    remoteAddress: '203.0.113.7',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"payment.completed"}',
    dedupeKey: null,
    eventId: null,
    ...over,
  };
}

/** Read every page of a paginated list, checking the cursor protocol on the way. */
export async function readAllPages<T>(
  read: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = await read(cursor);
    pages.push(page.data);
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not terminate');
}
