// Domain types shared by every layer. Pure data: no I/O, no classes.
// Times are epoch milliseconds everywhere inside hookd; the API renders them as ISO 8601.

import type { EventFilter } from './event-filter.js';
import type { PortalCapability } from './portal-capabilities.js';

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'cancelled';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'succeeded', 'failed', 'cancelled'];

export type DisabledReason = 'gone' | 'failing' | 'manual';
export type PayloadFormat = 'envelope' | 'raw';
/** How deliveries are signed: Standard Webhooks v1 (HMAC), v1a (ed25519, the tenant's key set), or both. */
export type SigningMode = 'hmac' | 'ed25519' | 'both';

export type EndpointAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'header'; name: string; value: string }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string | undefined;
      audience?: string | undefined;
    }
  | { type: 'mtls'; cert: string; key: string; ca?: string | undefined };

/** A signing secret; during rotation the previous one keeps signing until `expiresAt`. */
export interface SigningSecret {
  secret: string;
  /** null for the current secret. */
  expiresAt: number | null;
}

/** Built-in transforms (delivery/transform-presets.ts). */
export const TRANSFORM_PRESETS = ['slack', 'discord', 'teams'] as const;
export type TransformPreset = (typeof TRANSFORM_PRESETS)[number];

/**
 * A transform of the outgoing webhook: user JavaScript run in a sandbox, or a built-in preset.
 * `version` counts up on every change of the endpoint's transform (1 for the first).
 */
export type EndpointTransform =
  | { version: number; code: string; preset?: undefined; createdAt: number }
  | { version: number; preset: TransformPreset; code?: undefined; createdAt: number };
export interface EndpointOrdering {
  /** block: the key waits for a manual retry or skip of its head; skip: the next event goes. */
  onExhausted: 'block' | 'skip';
}

export interface Endpoint {
  id: string;
  tenant: string | null;
  url: string;
  description: string | null;
  /** null means every (non-operational) event type. */
  eventTypes: string[] | null;
  auth: EndpointAuth;
  /** Current secret first, then older ones still inside their grace period. */
  secrets: SigningSecret[];
  /**
   * Absent means 'hmac' (rows and objects from before signing modes). With 'ed25519' the HMAC secret
   * is never sent or revealed.
   */
  signing?: SigningMode;
  /**
   * Ordered delivery per key: what happens when a key's head exhausts its retries. Absent means
   * { onExhausted: 'block' } (docs/routing.md, "Ordering").
   */
  ordering?: EndpointOrdering;
  headers: Record<string, string>;
  timeoutMs: number;
  rateLimitPerSecond: number | null;
  maxConcurrency: number;
  /** Seconds after the previous attempt; null means the default schedule. */
  retrySchedule: number[] | null;
  payloadFormat: PayloadFormat;
  /** Content filter on the event (core/event-filter.ts); null or absent: no filter. */
  filter?: EventFilter | null;
  /** Transform applied to each outgoing request; null or absent: none. */
  transform?: EndpointTransform | null;
  /** Earlier transforms, newest first (a bounded history; see docs/routing.md). */
  transformHistory?: EndpointTransform[];
  enabled: boolean;
  disabledReason: DisabledReason | null;
  /** When the current unbroken run of failures started; null while healthy. */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventRecord {
  id: string;
  type: string;
  tenant: string | null;
  /** The exact JSON text of `data` as accepted (never re-serialised after acceptance). */
  payload: string;
  /** Raw inbound bytes, kept for endpoints with payloadFormat "raw" (null for published events). */
  rawBody: Buffer | null;
  idempotencyKey: string | null;
  /** sha256 of the publish request, to tell a replay from a conflicting reuse of a key. */
  requestHash: string | null;
  sourceId: string | null;
  /**
   * W3C `traceparent` of the span that published the event (observability/tracing.ts), so attempt
   * spans can link to it. null (or absent) when tracing was off at publish time.
   */
  traceContext?: string | null;
  /** Commit-ordered position in the pull feed; assigned by the store. */
  seq: number;
  createdAt: number;
}

/** What made an attempt happen: the retry schedule, a person (retry), a recovery, or a bulk retry. */
export const ATTEMPT_TRIGGERS = ['scheduled', 'manual', 'recover', 'bulk'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  tenant: string | null;
  eventType: string;
  status: DeliveryStatus;
  /** Attempts made over the delivery's whole life. */
  attempts: number;
  /** Attempts made since the delivery was last (re)queued; indexes the retry schedule. */
  runAttempts: number;
  /** The trigger recorded on the next attempt ('scheduled' again after it). */
  nextTrigger: AttemptTrigger;
  /** Attempts this run may make (1 for a plain manual retry); null: the endpoint's whole schedule. */
  runLimit: number | null;
  nextAttemptAt: number | null;
  /** Fencing token: incremented by every claim; a result must carry the token it was claimed with. */
  leaseToken: number;
  leaseExpiresAt: number | null;
  leaseOwner: string | null;
  lastCode: string | null;
  lastStatus: number | null;
  createdAt: number;
  updatedAt: number;
  /**
   * The event's ordering key (docs/routing.md, "Ordering"): deliveries of one endpoint with the same
   * key are attempted one at a time, in publish order. null (or absent in old objects): unordered.
   */
  orderingKey?: string | null;
  /** An exhausted head that holds its key (endpoint ordering.onExhausted "block") until retried or skipped. */
  orderingBlocked?: boolean;
}

export type AttemptOutcome = 'success' | 'retry' | 'retry_after' | 'throttle' | 'disable_endpoint' | 'fail';

export interface Attempt {
  id: string;
  deliveryId: string;
  endpointId: string;
  eventId: string;
  tenant: string | null;
  createdAt: number;
  durationMs: number;
  responseStatus: number | null;
  /** Error code from the attempt-code table (spec section 8); 'ok' on success. */
  code: string;
  outcome: AttemptOutcome;
  trigger: AttemptTrigger;
  message: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

export interface EventType {
  name: string;
  description: string | null;
  schema: Record<string, unknown> | null;
  example: unknown;
  createdAt: number;
  updatedAt: number;
}

export type ApiKeyRole = 'admin' | 'tenant';

export interface ApiKey {
  id: string;
  name: string | null;
  role: ApiKeyRole;
  tenant: string | null;
  /** sha256 (hex) of the key; the key itself is never stored. */
  hash: string;
  /** First characters of the key, to recognise it in a list. */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** Who is calling: an admin sees everything; a tenant sees only its tenant. */
export interface Principal {
  keyId: string;
  /** The API key's name (the audit log's actor), when the key has one. */
  keyName?: string;
  role: ApiKeyRole;
  tenant: string | null;
  /** When the credential stops being valid (portal tokens); open streams close then. */
  expiresAt?: number;
  /** Portal sessions only: what the link grants (checked per route, src/api/portal-route-table.ts). */
  capabilities?: readonly PortalCapability[];
  /** Portal sessions only: the link's id (revocable with DELETE /v1/portal-links/{id}). */
  portalLinkId?: string;
}

/**
 * A process that claims deliveries, as its heartbeat registered it. Leases name their owner, so when
 * an owner is known dead its leases can be handed back at once instead of when each one expires.
 */
export interface LeaseOwner {
  owner: string;
  host: string;
  pid: number;
  /**
   * Where `pid` means something: two processes with the same scope (same kernel boot, same PID
   * namespace) can test whether the other's pid is still running. null when unknown.
   */
  pidScope: string | null;
  startedAt: number;
  heartbeatAt: number;
}
