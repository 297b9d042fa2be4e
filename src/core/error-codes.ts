// The registry of API error codes. docs/errors.md is checked against this table by a test, so a code
// cannot be added, renamed or re-statused without the documentation following.

export interface ApiErrorInfo {
  status: number;
  title: string;
  /** When a client sees it and what to do. */
  description: string;
}

export const API_ERROR_CODES = {
  invalid_json: {
    status: 400,
    title: 'Malformed JSON',
    description: 'The request body is not valid JSON. The detail names the line and column and what was expected there.',
  },
  validation_failed: {
    status: 400,
    title: 'Invalid request',
    description: 'The request does not match the route schema (missing field, wrong type, unknown field, bad value). `errors` lists every problem by path.',
  },
  invalid_cursor: {
    status: 400,
    title: 'Invalid cursor',
    description: 'The `cursor` or `after` value was not produced by this server. Start again without it.',
  },
  invalid_url: {
    status: 422,
    title: 'Invalid endpoint URL',
    description: 'The URL cannot be parsed, has an unsupported scheme, carries credentials, or is not HTTPS while HTTPS is required.',
  },
  invalid_filter: {
    status: 422,
    title: 'Invalid filter',
    description: 'The endpoint `filter` does not follow the filter syntax (docs/routing.md): unknown operator or path, wrong operand type, an unsupported $regex, or over a size limit. `errors` lists every problem by path.',
  },
  invalid_transform: {
    status: 422,
    title: 'Invalid transform',
    description: 'The endpoint `transform` code does not compile or does not define `function transform(webhook)`. `errors` gives the compiler message at /body/transform/code.',
  },
  blocked_address: {
    status: 422,
    title: 'Address not allowed',
    description: 'The URL resolves to a private or reserved address refused by the SSRF policy. Operators can open ranges with HOOKD_ALLOW_PRIVATE.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The MCP endpoint (`/mcp`) is stateless streamable HTTP: POST JSON-RPC messages; there is no GET stream and no session to DELETE.',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description: 'No API key, or an unknown or revoked one. Send `Authorization: Bearer <api key>`.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The API key is valid but may not do this (for example, a tenant key on an admin-only route).',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: 'No such object, or it belongs to another tenant.',
  },
  route_not_found: {
    status: 404,
    title: 'Route not found',
    description: 'No route matches this method and path.',
  },
  idempotency_conflict: {
    status: 409,
    title: 'Idempotency key reused',
    description: 'This idempotency key was already used with a different request body. Use a new key for a new event.',
  },
  delivery_in_flight: {
    status: 409,
    title: 'Delivery in flight',
    description: 'The delivery is being sent right now; retry it once this attempt has finished.',
  },
  ordering_key_not_blocked: {
    status: 409,
    title: 'The ordering key is not blocked',
    description: 'Retry and skip act on a blocked head only (an exhausted head on an endpoint with `ordering.onExhausted: "block"`). This key\'s head is waiting, retrying or being sent; release the key to cancel its backlog instead.',
  },
  hmac_secret_unused: {
    status: 409,
    title: 'The endpoint does not use an HMAC secret',
    description: 'The endpoint signs with ed25519 only (`signing: "ed25519"`), so its HMAC secret is never revealed or rotated. Verify with the key set, or switch `signing` to "hmac" or "both" first.',
  },
  signing_key_rotation_pending: {
    status: 409,
    title: 'A key rotation is already under way',
    description: 'The newest signing key of this tenant is published but does not sign yet. Wait until its `signsFrom` time, then rotate again.',
  },
  endpoint_limit_reached: {
    status: 409,
    title: 'Too many endpoints',
    description: 'The tenant already has the maximum number of endpoints (HOOKD_MAX_ENDPOINTS_PER_TENANT).',
  },
  bin_limit_reached: {
    status: 409,
    title: 'Too many bins',
    description: 'The tenant already has the maximum number of request bins (HOOKD_BIN_MAX_PER_TENANT). Delete one, or wait for one to expire.',
  },
  bin_expired: {
    status: 410,
    title: 'Bin expired',
    description: 'The request bin has expired: it captures nothing more and is pruned with retention. Create a new bin.',
  },
  endpoint_disabled: {
    status: 409,
    title: 'Endpoint disabled',
    description: 'The endpoint is disabled; enable it (PATCH enabled: true) before sending to it, or retrying one of its deliveries.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    description: 'The request body exceeds the limit (HOOKD_MAX_BODY_BYTES, default 1 MiB, or the source maxBodyBytes).',
  },
  uri_too_long: {
    status: 414,
    title: 'URI too long',
    description: 'The request URL exceeds the limit.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'Send `Content-Type: application/json`.',
  },
  schema_mismatch: {
    status: 422,
    title: 'Payload does not match the event type schema',
    description: "The event data fails its type's JSON Schema. `errors` lists every missing field and wrong type by path.",
  },
  unknown_event_type: {
    status: 422,
    title: 'Unknown event type',
    description: 'The event type is not in the catalogue and HOOKD_REQUIRE_EVENT_TYPES=true.',
  },
  invalid_schema: {
    status: 422,
    title: 'Invalid JSON Schema',
    description: 'The event type schema is not a valid JSON Schema 2020-12 document, or it is too large or deep.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description: 'This API key sent too many requests. Wait for the number of seconds in `Retry-After`.',
  },
  header_too_large: {
    status: 431,
    title: 'Request headers too large',
    description: 'The request headers exceed the limit.',
  },
  internal_error: {
    status: 500,
    title: 'Internal error',
    description: 'An unexpected failure. Nothing was half-written; the request can be retried. Please report it with the request id.',
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'The database is unreachable or cannot take writes right now (a full disk, a read-only server). Nothing was written; retry after `Retry-After` seconds.',
  },
  signature_invalid: {
    status: 401,
    title: 'Signature verification failed',
    description: 'Inbound: the signature is missing, malformed, made with another secret, or over other bytes.',
  },
  timestamp_out_of_tolerance: {
    status: 401,
    title: 'Timestamp outside tolerance',
    description: 'Inbound: the signed timestamp is more than 5 minutes in the past or future (replay protection).',
  },
  credentials_invalid: {
    status: 401,
    title: 'Credentials invalid',
    description: 'Inbound: the API key, bearer token or basic credentials are missing or wrong.',
  },
  ip_not_allowed: {
    status: 403,
    title: 'IP address not allowed',
    description: "Inbound: the client address is not in the source's allowIps.",
  },
  unknown_alert_channel: {
    status: 422,
    title: 'Unknown alert channel',
    description: "An alert rule names a channel that does not exist or belongs to another tenant than the rule. `errors` names each such id by path.",
  },
  unknown_alert_subject: {
    status: 422,
    title: 'Unknown alert subject',
    description: "An alert rule names an endpoint or source that does not exist or belongs to another tenant than the rule. `errors` names each such id by path.",
  },
  alert_channel_in_use: {
    status: 409,
    title: 'Alert channel in use',
    description: 'The channel is still named by alert rules (listed in the detail). Remove it from those rules, or delete them, first.',
  },
} as const satisfies Record<string, ApiErrorInfo>;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;
