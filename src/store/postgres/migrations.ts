// Versioned schema for the PostgreSQL store. Append only: a released migration is never edited; a
// change is a new entry. Statements are unqualified and land in the store's schema (search_path).
//
// Column choices worth knowing:
// - times are epoch ms in bigint (the whole codebase speaks ms; no timezone conversions anywhere);
// - events.payload is text, not jsonb: jsonb re-serialises (key order, whitespace, number spelling)
//   and the contract promises the exact accepted JSON text, byte for byte, on every attempt;
// - auth, secrets and verify are sealed by the SecretBox into one opaque text each;
// - deliveries and attempts carry no foreign keys: deliveries outlive a deleted endpoint (visible as
//   cancelled), and prune deletes attempts, deliveries and events explicitly in one statement.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text,
  role text NOT NULL,
  tenant text,
  hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint,
  last_used_at bigint
);

CREATE TABLE event_types (
  name text PRIMARY KEY,
  description text,
  schema text,
  example text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE endpoints (
  id text PRIMARY KEY,
  tenant text,
  url text NOT NULL,
  description text,
  event_types jsonb,
  auth_sealed text NOT NULL,
  secrets_sealed text NOT NULL,
  headers jsonb NOT NULL,
  timeout_ms integer NOT NULL,
  rate_limit_per_second double precision,
  max_concurrency integer NOT NULL,
  retry_schedule jsonb,
  payload_format text NOT NULL,
  enabled boolean NOT NULL,
  disabled_reason text,
  failing_since bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX endpoints_list_idx ON endpoints (created_at DESC, id DESC);
CREATE INDEX endpoints_tenant_idx ON endpoints (tenant) WHERE enabled;

CREATE TABLE events (
  seq bigserial NOT NULL UNIQUE,
  id text PRIMARY KEY,
  type text NOT NULL,
  tenant text,
  payload text NOT NULL,
  raw_body bytea,
  idempotency_key text,
  request_hash text,
  source_id text,
  created_at bigint NOT NULL
);
-- One key per tenant; '' stands for "no tenant" because NULLs never collide in a unique index.
CREATE UNIQUE INDEX events_idempotency_idx ON events ((coalesce(tenant, '')), idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_created_idx ON events (created_at);
CREATE INDEX events_tenant_seq_idx ON events (tenant, seq);

CREATE TABLE deliveries (
  id text PRIMARY KEY,
  event_id text NOT NULL,
  endpoint_id text NOT NULL,
  tenant text,
  event_type text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  run_attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,
  lease_token bigint NOT NULL DEFAULT 0,
  lease_expires_at bigint,
  lease_owner text,
  last_code text,
  last_status integer,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
-- The claim path: due pending rows per endpoint, and expired or live leases per endpoint.
CREATE INDEX deliveries_pending_idx ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_sending_idx ON deliveries (endpoint_id, lease_expires_at) WHERE status = 'sending';
-- Lists (newest first) and per-event / per-endpoint lookups.
CREATE INDEX deliveries_list_idx ON deliveries (created_at DESC, id DESC);
CREATE INDEX deliveries_event_idx ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_idx ON deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE attempts (
  id text PRIMARY KEY,
  delivery_id text NOT NULL,
  endpoint_id text NOT NULL,
  event_id text NOT NULL,
  tenant text,
  created_at bigint NOT NULL,
  duration_ms integer NOT NULL,
  response_status integer,
  code text NOT NULL,
  outcome text NOT NULL,
  message text,
  request_headers jsonb NOT NULL,
  response_headers jsonb,
  response_body text
);
CREATE INDEX attempts_delivery_idx ON attempts (delivery_id, created_at);
CREATE INDEX attempts_endpoint_idx ON attempts (endpoint_id, created_at DESC);
CREATE INDEX attempts_event_idx ON attempts (event_id);

CREATE TABLE sources (
  id text PRIMARY KEY,
  name text NOT NULL,
  tenant text,
  verify_sealed text NOT NULL,
  allow_ips jsonb,
  event_type jsonb,
  max_body_bytes integer,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX sources_list_idx ON sources (created_at DESC, id DESC);

CREATE TABLE inbound_requests (
  id text PRIMARY KEY,
  source_id text NOT NULL,
  tenant text,
  received_at bigint NOT NULL,
  verdict text NOT NULL,
  code text,
  reason text,
  status integer NOT NULL,
  remote_address text,
  headers jsonb NOT NULL,
  body text,
  dedupe_key text,
  event_id text
);
-- Deduplication: one accepted request per provider delivery id; duplicates and rejections may repeat.
CREATE UNIQUE INDEX inbound_dedupe_idx ON inbound_requests (source_id, dedupe_key)
  WHERE verdict = 'accepted' AND dedupe_key IS NOT NULL;
CREATE INDEX inbound_list_idx ON inbound_requests (source_id, received_at DESC, id DESC);
CREATE INDEX inbound_received_idx ON inbound_requests (received_at);
`,
  },
  {
    version: 2,
    name: 'event trace context',
    // The W3C traceparent of the publish span, so an attempt span can link to the publish that caused it.
    sql: `ALTER TABLE events ADD COLUMN trace_context text;`,
  },
  {
    version: 3,
    name: 'endpoint pacing',
    // Pacing that holds across processes: paused_until after a Retry-After throttle, and the next free
    // rate-limit send slot, both in epoch ms (claims.ts hands out the slots under the endpoint row lock).
    sql: `ALTER TABLE endpoints ADD COLUMN paused_until bigint, ADD COLUMN rate_next_at bigint;`,
  },
  {
    version: 4,
    name: 'lease owners',
    // One row per claiming process, refreshed by its heartbeat (lease-owners.ts): a surviving worker
    // takes over a dead worker's leases once its heartbeat is stale, not when each lease expires.
    sql: `
CREATE TABLE lease_owners (
  owner text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  pid_scope text,
  started_at bigint NOT NULL,
  heartbeat_at bigint NOT NULL
);`,
  },
  {
    version: 5,
    name: 'bulk retries',
    // A bulk retry is a server-side task, one row: its filter, progress, where the next batch starts,
    // and a lease (owner, lease_expires_at) so one process at a time runs it and another resumes it
    // after a crash or restart. Also: inbound duplicates are logged with the 200 their sender got
    // (rows written before that fix said 202).
    sql: `
CREATE TABLE bulk_retries (
  id text PRIMARY KEY,
  tenant text,
  filter text NOT NULL,
  status text NOT NULL,
  total bigint,
  processed bigint NOT NULL DEFAULT 0,
  requeued bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0,
  cursor text,
  cancel_requested boolean NOT NULL DEFAULT false,
  owner text,
  lease_expires_at bigint,
  error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint
);
CREATE INDEX bulk_retries_running_idx ON bulk_retries (created_at) WHERE status = 'running';
UPDATE inbound_requests SET status = 200 WHERE verdict = 'duplicate' AND status <> 200;
-- What made each attempt happen, and the run a re-queue starts: next_trigger is recorded on the
-- delivery's next attempt (then 'scheduled' again), run_limit caps the run (1: a plain retry).
ALTER TABLE attempts ADD COLUMN triggered_by text NOT NULL DEFAULT 'scheduled';
ALTER TABLE deliveries ADD COLUMN next_trigger text NOT NULL DEFAULT 'scheduled', ADD COLUMN run_limit integer;
`,
  },
  {
    version: 6,
    name: 'ed25519 signing keys',
    // Per-endpoint signing mode (absent rows read as 'hmac'), and each tenant's ed25519 keys (scope ''
    // for events without a tenant: tenants are never empty). The unique (scope, generation) makes two
    // processes rotating at once create one key, not two. The private key is SecretBox output only.
    sql: `
ALTER TABLE endpoints ADD COLUMN signing text NOT NULL DEFAULT 'hmac';
CREATE TABLE signing_keys (
  id text PRIMARY KEY,
  tenant text,
  scope text NOT NULL,
  generation integer NOT NULL,
  secret_key_sealed text NOT NULL,
  public_key text NOT NULL,
  created_at bigint NOT NULL,
  signs_from bigint NOT NULL,
  retires_at bigint
);
CREATE UNIQUE INDEX signing_keys_generation ON signing_keys (scope, generation);
`,
  },
  {
    version: 7,
    name: 'endpoint filters and transforms',
    // A content filter (JSON, core/event-filter.ts), the current transform (JSON: version + code or
    // preset) and the previous transform versions (JSON array, newest first, capped by the API).
    sql: `
ALTER TABLE endpoints ADD COLUMN filter jsonb, ADD COLUMN transform jsonb, ADD COLUMN transform_history jsonb;
`,
  },
  {
    version: 8,
    name: 'ordered delivery per key',
    // The same as the SQLite migration "ordered delivery per key" (its comment explains the indexes):
    // a parked waiting row is 'pending' with next_attempt_at NULL, which sorts after every due row in
    // deliveries_pending_idx and is outside deliveries_due_idx's range.
    sql: `
ALTER TABLE deliveries ADD COLUMN ordering_key text, ADD COLUMN ordering_seq bigint,
  ADD COLUMN ordering_blocked boolean NOT NULL DEFAULT false;
ALTER TABLE endpoints ADD COLUMN ordering_on_exhausted text NOT NULL DEFAULT 'block';
ALTER TABLE sources ADD COLUMN ordering_key_rule jsonb;
CREATE INDEX deliveries_ordering_open ON deliveries (endpoint_id, ordering_key, ordering_seq)
  WHERE ordering_key IS NOT NULL AND (status IN ('pending', 'sending') OR ordering_blocked);
CREATE INDEX deliveries_ordering_sending ON deliveries (endpoint_id, ordering_key)
  WHERE ordering_key IS NOT NULL AND status = 'sending';
`,
  },
  {
    version: 9,
    name: 'event search',
    // payload stays text (the exact published bytes go out on the wire); containment searches read
    // it as jsonb through hookd_jsonb, indexed with GIN (jsonb_path_ops: @> only, smaller and faster
    // than the default opclass). A text jsonb refuses (a \u0000 escape, a lone surrogate) reads as
    // null instead of failing the publish that inserts it, and matches nothing. The "C" collation
    // index serves type-prefix ranges byte-wise, whatever the database's collation.
    sql: `
CREATE FUNCTION hookd_jsonb(payload text) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
BEGIN
  RETURN payload::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$;
CREATE INDEX events_data_gin ON events USING gin ((hookd_jsonb(payload)) jsonb_path_ops);
CREATE INDEX events_type_seq_idx ON events ((type COLLATE "C"), seq);
`,
  },
  {
    version: 10,
    name: 'audit log',
    // Who changed what through the API (core/audit.ts), written in the change's own transaction.
    // Ids are time-ordered: the listing walks the primary key backwards; tenant keys read their own.
    sql: `
CREATE TABLE audit_log (
  id text PRIMARY KEY,
  at bigint NOT NULL,
  actor_kind text NOT NULL,
  actor_id text NOT NULL,
  actor_name text,
  tenant text,
  request_id text,
  action text NOT NULL,
  target text,
  diff jsonb NOT NULL
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);
`,
  },
  {
    version: 11,
    name: 'alert notifications',
    // Alerts (core/alert-types.ts): one row per rule, subject, window and state. The unique key is
    // the cross-process grouping: only the process whose insert wins sends the notification.
    sql: `
CREATE TABLE alert_notifications (
  id text PRIMARY KEY,
  rule_id text NOT NULL,
  subject_kind text NOT NULL,
  subject_id text NOT NULL,
  tenant text,
  window_start bigint NOT NULL,
  state text NOT NULL,
  summary text NOT NULL,
  value double precision,
  threshold double precision,
  created_at bigint NOT NULL,
  outcome text NOT NULL,
  error text,
  UNIQUE (rule_id, subject_id, window_start, state)
);
CREATE INDEX alert_notifications_latest_idx ON alert_notifications (rule_id, subject_id, created_at);
CREATE INDEX alert_notifications_created_idx ON alert_notifications (created_at);
`,
  },
  {
    version: 12,
    name: 'broker sources',
    // A source may consume from a broker: the URL and its credentials, sealed like verify.
    sql: `
ALTER TABLE sources ADD COLUMN consume_sealed text;
`,
  },
  {
    version: 13,
    name: 'portal link revocations',
    // Portal links are signed tokens; a revoked one is refused by id until it would have expired
    // anyway (rows past expires_at are deleted on the next revocation).
    sql: `
CREATE TABLE portal_link_revocations (
  id text PRIMARY KEY,
  revoked_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
`,
  },
  {
    version: 14,
    name: 'alert channels and rules',
    // Alerts managed over the API. A channel's readable part is config; its secrets (signing secret,
    // Slack/Teams URL, SMTP password) are one sealed JSON document. Rules name their channels and
    // optional endpoints/sources as JSON arrays of ids.
    sql: `
CREATE TABLE alert_channels (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL,
  tenant text,
  config jsonb NOT NULL,
  secrets_sealed text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX alert_channels_tenant_idx ON alert_channels (tenant, created_at);
CREATE TABLE alert_rules (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL,
  tenant text,
  threshold double precision,
  window_ms bigint NOT NULL,
  endpoint_ids jsonb NOT NULL,
  source_ids jsonb NOT NULL,
  channel_ids jsonb NOT NULL,
  enabled boolean NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX alert_rules_tenant_idx ON alert_rules (tenant, created_at);
`,
  },
  {
    version: 15,
    name: 'portal link uses',
    // A single-use portal link is exchanged for a session once: the exchange inserts its id here and
    // the primary key makes a second exchange (in any process) find it taken. Kept until the link
    // would have expired anyway (older rows are deleted on the next exchange).
    sql: `
CREATE TABLE portal_link_uses (
  id text PRIMARY KEY,
  used_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX portal_link_uses_expires_idx ON portal_link_uses (expires_at);
`,
  },
  {
    version: 16,
    name: 'request bins',
    // Capture URLs (/bin/{id}) and what they received. request_count is the bin's lifetime count (the
    // mock behaviour's nth request), kept apart from the rows, which are pruned to the newest N.
    sql: `
CREATE TABLE bins (
  id text PRIMARY KEY,
  tenant text,
  name text NOT NULL,
  behaviour text NOT NULL,
  response_body text,
  secret_sealed text,
  request_count bigint NOT NULL DEFAULT 0,
  expires_at bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX bins_tenant_created_idx ON bins (tenant, created_at);
CREATE INDEX bins_expires_idx ON bins (expires_at);
CREATE TABLE bin_requests (
  id text PRIMARY KEY,
  bin_id text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  headers text NOT NULL,
  body bytea,
  size bigint NOT NULL,
  truncated boolean NOT NULL,
  remote_address text,
  received_at bigint NOT NULL
);
CREATE INDEX bin_requests_bin_idx ON bin_requests (bin_id, id);
`,
  },
  {
    version: 17,
    name: 'attempts without the event index',
    // Every attempt insert also wrote an entry into attempts_event_idx, and the only reader was
    // retention, which now finds an event's attempts through its deliveries (deliveries_event_idx,
    // then attempts_delivery_idx), as the SQLite store always has. One index entry fewer per attempt,
    // on the hottest insert of the delivery path (docs/performance.md, "Round two").
    sql: `
DROP INDEX IF EXISTS attempts_event_idx;
`,
  },
];
