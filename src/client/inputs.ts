// What the client sends: request bodies and query strings of the v1 API (the route schemas in
// src/api/ are the authority; docs/api.md explains each field).

import type { DeliveryStatusView } from '../wire/delivery.js';

export type EndpointAuthInput =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'header'; name: string; value: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string }
  | { type: 'mtls'; cert: string; key: string; ca?: string };

export interface EndpointInput {
  url: string;
  description?: string | null;
  tenant?: string | null;
  eventTypes?: string[] | null;
  auth?: EndpointAuthInput;
  secret?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number | null;
  maxConcurrency?: number;
  retrySchedule?: number[] | null;
  payloadFormat?: 'envelope' | 'raw';
  signing?: 'hmac' | 'ed25519' | 'both';
  enabled?: boolean;
  /** A content filter (docs/routing.md); null clears it. */
  filter?: Record<string, unknown> | null;
  transform?: TransformInput | null;
  /** Ordered delivery per key: what happens when a key's head exhausts its retries. */
  ordering?: { onExhausted: 'block' | 'skip' };
}
export type EndpointPatch = Partial<Omit<EndpointInput, 'secret' | 'tenant'>>;

export interface PublishInput {
  type: string;
  data: unknown;
  tenant?: string | null;
  idempotencyKey?: string;
  /** Deliveries of one key go one at a time, in publish order, per endpoint (docs/routing.md). */
  orderingKey?: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export interface DeliveryQuery extends PageQuery {
  status?: DeliveryStatusView;
  tenant?: string;
  /** The last attempt's HTTP status. */
  httpStatus?: number;
  /** The last attempt's code (docs/errors.md). */
  code?: string;
  endpoint?: string;
  event?: string;
  type?: string;
  since?: string;
  until?: string;
}

export interface FeedQuery {
  after?: string;
  type?: string;
  tenant?: string;
  id?: string;
  idempotencyKey?: string;
  /** A literal prefix of the type (`chat.` matches chat.started). */
  typePrefix?: string;
  since?: string;
  until?: string;
  /** JSON the event data must contain (jsonb `@>` rules), e.g. '{"customer":{"tier":"vip"}}'. */
  match?: string;
  limit?: number;
  /** Seconds to long-poll when nothing is new (at most 30). */
  wait?: number;
}

export interface BulkRetryInput {
  status?: DeliveryStatusView;
  endpoint?: string;
  event?: string;
  type?: string;
  since?: string;
  until?: string;
}

export interface EventTypeInput {
  description?: string | null;
  schema?: Record<string, unknown> | null;
  example?: unknown;
}

export interface ApiKeyInput {
  name?: string;
  tenant?: string;
}

export interface DiagnoseUrlInput {
  url: string;
  auth?: EndpointAuthInput;
  method?: string;
  timeoutMs?: number;
}

export interface DiagnosePayloadInput {
  payload: string;
  type?: string;
}

/** A source's verification, sent in clear once; answers redact it (see docs/inbound.md). */
export interface SourceInput {
  name: string;
  tenant?: string | null;
  verify: { scheme: string } & Record<string, unknown>;
  allowIps?: string[] | null;
  eventType?: string | { header: string } | { pointer: string } | null;
  orderingKey?: string | { header: string } | { pointer: string } | null;
  maxBodyBytes?: number | null;
  /** Consume from a broker (redis://host/0?stream=S&group=G); credentials apart. */
  consume?: { url: string; username?: string; password?: string } | null;
}
export type SourcePatch = Partial<Omit<SourceInput, 'tenant'>>;

export interface SourceRequestQuery extends PageQuery {
  verdict?: 'accepted' | 'duplicate' | 'rejected';
  since?: string;
  until?: string;
}

export interface RecentEventsQuery {
  limit?: number;
  before?: number;
  type?: string;
  operational?: 'show' | 'hide';
  tenant?: string;
  status?: DeliveryStatusView | 'none';
  since?: string;
  until?: string;
}

export interface PortalLinkInput {
  tenant: string;
  ttlSeconds?: number;
  /** Default true: the link is exchanged once for a session (portalLinks.exchange). */
  singleUse?: boolean;
  /** The same as `capabilities: ['view']`. */
  readOnly?: boolean;
  /** What the portal may do; `view` is always granted. Left out: everything. */
  capabilities?: Array<'view' | 'view_secret' | 'manage_secret' | 'manage_endpoints' | 'replay' | 'manage_transforms'>;
  theme?: Record<string, unknown>;
}

/** Custom code (a function of the outgoing webhook) or a preset (docs/routing.md). */
export type TransformInput = { code: string } | { preset: 'slack' | 'discord' | 'teams' };

/** An example event for the filter and transform test routes. */
export interface ExampleEvent {
  id?: string;
  type?: string;
  tenant?: string | null;
  data?: unknown;
  createdAt?: string;
}

/** POST /v1/alerts/channels: url for webhook/slack/teams; host, from, to (port, secure, username, password) for email. */
export interface AlertChannelInput extends AlertChannelPatch {
  name: string;
  kind: 'webhook' | 'slack' | 'teams' | 'email';
  /** Admin keys only; a tenant key's channel is its tenant's. */
  tenant?: string | null;
}

export interface AlertChannelPatch {
  name?: string;
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string | null;
  password?: string | null;
  from?: string;
  to?: string[];
}

export interface AlertRuleInput extends AlertRulePatch {
  name: string;
  kind: 'endpoint_disabled' | 'deliveries_exhausted' | 'error_rate' | 'latency_p95' | 'source_rejecting';
  channels: string[];
  tenant?: string | null;
}

export interface AlertRulePatch {
  name?: string;
  /** error_rate, source_rejecting: a fraction (0.5 = 50%); latency_p95: milliseconds. */
  threshold?: number | null;
  /** 60..604800, default 300. */
  windowSeconds?: number;
  endpoints?: string[];
  sources?: string[];
  channels?: string[];
  enabled?: boolean;
}

export interface AlertNotificationsQuery {
  /** 1..500, default 50. */
  limit?: number;
  tenant?: string;
}

export interface AuditQuery extends PageQuery {
  tenant?: string;
  /** An API key id (key_...), key_env_admin or a portal session. */
  actor?: string;
  /** An action (endpoint.update) or, ending in a dot, a kind (endpoint.). */
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

/** POST /v1/bins: every member optional (a bin answering 200 at once, expiring after HOOKD_BIN_TTL_SECONDS). */
export interface BinInput {
  name?: string;
  status?: number;
  failRate?: number;
  failStatus?: number;
  /** `200` or `200..3000` (ms). */
  latency?: string;
  retryAfter?: number | null;
  failFirst?: number;
  goneAfter?: number | null;
  responseBody?: string | null;
  /** Standard Webhooks secret (`whsec_...`): captured requests are checked against it. */
  secret?: string | null;
  expiresInSeconds?: number;
  tenant?: string | null;
}

export type BinPatch = Omit<BinInput, 'tenant'>;
