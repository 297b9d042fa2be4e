// Versioned schema for the SQLite adapter. Each migration runs once, in order, recorded in
// `schema_migrations`. Never edit a shipped migration: append a new one.
//
// Storage conventions: times are epoch-ms INTEGERs, JSON is TEXT, booleans are 0/1, and the secret
// columns (`*_sealed`) hold SecretBox output only, so no credential reaches the file in clear.

import type Database from 'better-sqlite3';
import { MigrationMismatchError, migrationMismatch, type MigrationName } from '../migration-check.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT,
        role TEXT NOT NULL,
        tenant TEXT,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      );

      CREATE TABLE event_types (
        name TEXT PRIMARY KEY,
        description TEXT,
        schema TEXT,
        example TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE endpoints (
        id TEXT PRIMARY KEY,
        tenant TEXT,
        url TEXT NOT NULL,
        description TEXT,
        event_types TEXT,
        auth_sealed TEXT NOT NULL,
        secrets_sealed TEXT NOT NULL,
        headers TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL,
        rate_limit_per_second REAL,
        max_concurrency INTEGER NOT NULL,
        retry_schedule TEXT,
        payload_format TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        disabled_reason TEXT,
        failing_since INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- Fan-out reads the enabled endpoints of one tenant on every publish.
      CREATE INDEX endpoints_tenant_enabled ON endpoints (tenant, enabled);

      -- seq is the rowid: SQLite has one writer at a time, so rowid order is commit order, which is
      -- what the pull feed needs (a reader never sees seq 7 committed before seq 6).
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        tenant TEXT,
        payload TEXT NOT NULL,
        raw_body BLOB,
        idempotency_key TEXT,
        request_hash TEXT,
        source_id TEXT,
        created_at INTEGER NOT NULL
      );
      -- A null tenant is its own idempotency scope: x'00' is a BLOB, never equal to any TEXT tenant.
      CREATE UNIQUE INDEX events_idempotency ON events (idempotency_key, ifnull(tenant, x'00'))
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX events_created_at ON events (created_at);

      -- No foreign key to endpoints: a deleted endpoint's delivery history stays readable.
      CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events (id),
        endpoint_id TEXT NOT NULL,
        tenant TEXT,
        event_type TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        run_attempts INTEGER NOT NULL,
        next_attempt_at INTEGER,
        lease_token INTEGER NOT NULL,
        lease_expires_at INTEGER,
        lease_owner TEXT,
        last_code TEXT,
        last_status INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- claimDue / nextDueAt / queueDepth scan due pending rows in time order ...
      CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
      -- ... and expired leases, and count live leases per endpoint.
      CREATE INDEX deliveries_lease ON deliveries (status, lease_expires_at);
      -- Per-endpoint work: cancel pending, recover a window, stats.
      CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, created_at);
      CREATE INDEX deliveries_event ON deliveries (event_id);

      CREATE TABLE attempts (
        id TEXT PRIMARY KEY,
        delivery_id TEXT NOT NULL REFERENCES deliveries (id),
        endpoint_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        tenant TEXT,
        created_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        response_status INTEGER,
        code TEXT NOT NULL,
        outcome TEXT NOT NULL,
        message TEXT,
        request_headers TEXT NOT NULL,
        response_headers TEXT,
        response_body TEXT
      );
      CREATE INDEX attempts_delivery ON attempts (delivery_id, created_at);
      CREATE INDEX attempts_endpoint ON attempts (endpoint_id, created_at);

      CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        tenant TEXT,
        verify_sealed TEXT NOT NULL,
        allow_ips TEXT,
        event_type TEXT,
        max_body_bytes INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE inbound_requests (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        tenant TEXT,
        received_at INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        code TEXT,
        reason TEXT,
        status INTEGER NOT NULL,
        remote_address TEXT,
        headers TEXT NOT NULL,
        body TEXT,
        dedupe_key TEXT,
        event_id TEXT,
        duplicate_of TEXT
      );
      -- Deduplication: at most one accepted request per provider delivery id and source. The adapter
      -- looks it up inside the write transaction; the index makes a race impossible anyway.
      CREATE UNIQUE INDEX inbound_dedupe ON inbound_requests (source_id, dedupe_key)
        WHERE verdict = 'accepted' AND dedupe_key IS NOT NULL;
      CREATE INDEX inbound_source ON inbound_requests (source_id, id);
      CREATE INDEX inbound_received_at ON inbound_requests (received_at);
    `,
  },
  {
    version: 2,
    name: 'event trace context',
    // The W3C traceparent of the publish span, so an attempt span can link to the publish that caused it.
    sql: `ALTER TABLE events ADD COLUMN trace_context TEXT;`,
  },
  {
    version: 3,
    name: 'endpoint pacing',
    // Pacing lives in the store so it holds across processes: paused_until is a receiver's
    // Retry-After (nothing is claimed for the endpoint before it), rate_next_at the endpoint's next
    // free rate-limit send slot (claim-due.ts hands slots out inside the claim transaction).
    sql: `
      ALTER TABLE endpoints ADD COLUMN paused_until INTEGER;
      ALTER TABLE endpoints ADD COLUMN rate_next_at INTEGER;
    `,
  },
  {
    version: 4,
    name: 'indexes that a state change does not rewrite',
    // Every index with status in its key is rewritten each time a delivery changes state (twice per
    // attempt: pending -> sending -> done), touching a page per endpoint per transaction, and keeps
    // an entry for every finished delivery. Instead:
    // - deliveries_pending_due holds only pending rows (entered at publish, left at claim) and covers
    //   the claim's due-order scan (no table lookup per candidate); deliveries_pending_endpoint holds
    //   the same rows by endpoint (queue depth per endpoint without a sort, cancel on disable/delete);
    // - deliveries_live_lease holds only sending rows (entered at claim, left with the result): the
    //   live-lease count and the expired-lease scan read it alone;
    // - deliveries_endpoint_created replaces (endpoint_id, status, created_at): per-endpoint windows
    //   (stats, recover) read status from the row, and the key never changes after insert;
    // - deliveries_unsuccessful keeps "the failed (cancelled) deliveries [of an endpoint]" an index
    //   range, newest first: rows enter it once, when they fail, so healthy traffic never touches it.
    // Measured on a 40,000-delivery drain (10 endpoints, claims and results only): WAL pages written
    // per delivery 1.59 -> 1.04.
    sql: `
      CREATE INDEX deliveries_pending_due ON deliveries (next_attempt_at, id, endpoint_id) WHERE status = 'pending';
      CREATE INDEX deliveries_pending_endpoint ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX deliveries_live_lease ON deliveries (lease_expires_at, endpoint_id) WHERE status = 'sending';
      CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
      CREATE INDEX deliveries_unsuccessful ON deliveries (status, endpoint_id, id)
        WHERE status = 'failed' OR status = 'cancelled';
      DROP INDEX deliveries_due;
      DROP INDEX deliveries_lease;
      DROP INDEX deliveries_endpoint;
    `,
  },
  {
    version: 5,
    name: 'lease owners',
    // One row per claiming process, refreshed by its heartbeat (lease-owners.ts): a restarted or
    // surviving process that knows an owner is dead gives its leases back at once instead of after
    // each lease's expiry. A small table rewritten every second or so: no index beyond the key.
    sql: `
      CREATE TABLE lease_owners (
        owner TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_scope TEXT,
        started_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'bulk retries',
    // A bulk retry is a server-side task, one row: its filter, progress, where the next batch starts,
    // and a lease (owner, lease_expires_at) so one process at a time runs it and another resumes it
    // after a crash or restart. Also: inbound duplicates are logged with the 200 their sender got
    // (rows written before that fix said 202).
    sql: `
      CREATE TABLE bulk_retries (
        id TEXT PRIMARY KEY,
        tenant TEXT,
        filter TEXT NOT NULL,
        status TEXT NOT NULL,
        total INTEGER,
        processed INTEGER NOT NULL DEFAULT 0,
        requeued INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        cursor TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_expires_at INTEGER,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX bulk_retries_running ON bulk_retries (created_at) WHERE status = 'running';
      UPDATE inbound_requests SET status = 200 WHERE verdict = 'duplicate' AND status <> 200;
      -- What made each attempt happen, and the run a re-queue starts: next_trigger is recorded on the
      -- delivery's next attempt (then 'scheduled' again), run_limit caps the run (1: a plain retry).
      ALTER TABLE attempts ADD COLUMN triggered_by TEXT NOT NULL DEFAULT 'scheduled';
      ALTER TABLE deliveries ADD COLUMN next_trigger TEXT NOT NULL DEFAULT 'scheduled';
      ALTER TABLE deliveries ADD COLUMN run_limit INTEGER;
    `,
  },
  {
    version: 7,
    name: 'ed25519 signing keys',
    // Per-endpoint signing mode (absent rows read as 'hmac'), and each tenant's ed25519 keys (scope ''
    // for events without a tenant: tenants are never empty). The unique (scope, generation) makes two
    // processes rotating at once create one key, not two. The private key is SecretBox output only.
    sql: `
      ALTER TABLE endpoints ADD COLUMN signing TEXT NOT NULL DEFAULT 'hmac';
      CREATE TABLE signing_keys (
        id TEXT PRIMARY KEY,
        tenant TEXT,
        scope TEXT NOT NULL,
        generation INTEGER NOT NULL,
        secret_key_sealed TEXT NOT NULL,
        public_key TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        signs_from INTEGER NOT NULL,
        retires_at INTEGER
      );
      CREATE UNIQUE INDEX signing_keys_generation ON signing_keys (scope, generation);
    `,
  },
  {
    version: 8,
    name: 'endpoint filters and transforms',
    // A content filter (JSON, core/event-filter.ts), the current transform (JSON: version + code or
    // preset) and the previous transform versions (JSON array, newest first, capped by the API).
    sql: `
      ALTER TABLE endpoints ADD COLUMN filter TEXT;
      ALTER TABLE endpoints ADD COLUMN transform TEXT;
      ALTER TABLE endpoints ADD COLUMN transform_history TEXT;
    `,
  },
  {
    version: 9,
    name: 'ordered delivery per key',
    // Ordered delivery (docs/routing.md, "Ordering"). A delivery carries its event's ordering key and
    // the event's seq (publish order). ordering_blocked marks an exhausted head that holds its key
    // (endpoint ordering.onExhausted "block"). A waiting delivery of a key is 'pending' with
    // next_attempt_at NULL ("parked"): it is in no due index range, so a backlog behind a blocked or
    // retrying head costs a claim nothing; the head's end wakes the next one.
    // - deliveries_ordering_open: the open rows of each (endpoint, key) in publish order. "Is there
    //   an earlier open row?" (the claim's head test) and "which row is next?" (the wake) are one
    //   probe each. Key-less rows are not in it at all.
    // - deliveries_ordering_sending: in-flight keyed rows only (entered at claim, left with the
    //   result): "is anything of this key being sent?" is one probe.
    sql: `
      ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
      ALTER TABLE deliveries ADD COLUMN ordering_seq INTEGER;
      ALTER TABLE deliveries ADD COLUMN ordering_blocked INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE endpoints ADD COLUMN ordering_on_exhausted TEXT NOT NULL DEFAULT 'block';
      ALTER TABLE sources ADD COLUMN ordering_key_rule TEXT;
      CREATE INDEX deliveries_ordering_open ON deliveries (endpoint_id, ordering_key, ordering_seq)
        WHERE ordering_key IS NOT NULL AND (status IN ('pending', 'sending') OR ordering_blocked = 1);
      CREATE INDEX deliveries_ordering_sending ON deliveries (endpoint_id, ordering_key)
        WHERE ordering_key IS NOT NULL AND status = 'sending';
      -- The claim's due walk tests the head rule from this index alone (no table row per skipped row).
      DROP INDEX deliveries_pending_due;
      CREATE INDEX deliveries_pending_due ON deliveries (next_attempt_at, id, endpoint_id, ordering_key, ordering_seq)
        WHERE status = 'pending';
    `,
  },
  {
    version: 10,
    name: 'event search',
    // GET /v1/events filters: one tenant's events and a type prefix walk these in seq order (the
    // feed's order) instead of scanning every event. Payload containment has no index in SQLite:
    // its JSON functions index fixed paths only (see events.ts and docs/operations.md).
    sql: `
      CREATE INDEX events_tenant_seq ON events (tenant, seq);
      CREATE INDEX events_type_seq ON events (type, seq);
    `,
  },
  {
    version: 11,
    name: 'audit log',
    // Who changed what through the API (core/audit.ts), written in the change's own transaction.
    // Ids are time-ordered: the listing walks the primary key backwards; tenant keys read their own.
    sql: `
      CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT,
        tenant TEXT,
        request_id TEXT,
        action TEXT NOT NULL,
        target TEXT,
        diff TEXT NOT NULL
      );
      CREATE INDEX audit_log_tenant ON audit_log (tenant, id);
      CREATE INDEX audit_log_at ON audit_log (at);
    `,
  },
  {
    version: 12,
    name: 'alert notifications',
    // Alerts (core/alert-types.ts): one row per rule, subject, window and state. The unique key is
    // the cross-process grouping: only the process whose insert wins sends the notification.
    sql: `
      CREATE TABLE alert_notifications (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        tenant TEXT,
        window_start INTEGER NOT NULL,
        state TEXT NOT NULL,
        summary TEXT NOT NULL,
        value REAL,
        threshold REAL,
        created_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT,
        UNIQUE (rule_id, subject_id, window_start, state)
      );
      CREATE INDEX alert_notifications_latest ON alert_notifications (rule_id, subject_id, created_at);
      CREATE INDEX alert_notifications_created ON alert_notifications (created_at);
    `,
  },
  {
    version: 13,
    name: 'broker sources',
    // A source may consume from a broker (RabbitMQ queue, Redis consumer group...): the URL and its
    // credentials, sealed like verify.
    sql: `
      ALTER TABLE sources ADD COLUMN consume_sealed TEXT;
    `,
  },
  {
    version: 14,
    name: 'portal link revocations',
    // Portal links are signed tokens; a revoked one is refused by id until it would have expired
    // anyway (rows past expires_at are deleted on the next revocation).
    sql: `
      CREATE TABLE portal_link_revocations (
        id TEXT PRIMARY KEY,
        revoked_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 15,
    name: 'alert channels and rules',
    // Alerts managed over the API. A channel's readable part is config (JSON); its secrets (signing
    // secret, Slack/Teams URL, SMTP password) are one sealed JSON document. Rules name their
    // channels and optional endpoints/sources as JSON arrays of ids.
    sql: `
      CREATE TABLE alert_channels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        tenant TEXT,
        config TEXT NOT NULL,
        secrets_sealed TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX alert_channels_tenant ON alert_channels (tenant, created_at);
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        tenant TEXT,
        threshold REAL,
        window_ms INTEGER NOT NULL,
        endpoint_ids TEXT NOT NULL,
        source_ids TEXT NOT NULL,
        channel_ids TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX alert_rules_tenant ON alert_rules (tenant, created_at);
    `,
  },
  {
    version: 16,
    name: 'portal link uses',
    // A single-use portal link is exchanged for a session once: the exchange inserts its id here and
    // the primary key makes a second exchange (in any process) find it taken. Kept until the link
    // would have expired anyway (older rows are deleted on the next exchange).
    sql: `
      CREATE TABLE portal_link_uses (
        id TEXT PRIMARY KEY,
        used_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX portal_link_uses_expires ON portal_link_uses (expires_at);
    `,
  },
  {
    version: 17,
    name: 'request bins',
    // Capture URLs (/bin/{id}) and what they received. request_count is the bin's lifetime count (the
    // mock behaviour's nth request), kept apart from the rows, which are pruned to the newest N.
    sql: `
      CREATE TABLE bins (
        id TEXT PRIMARY KEY,
        tenant TEXT,
        name TEXT NOT NULL,
        behaviour TEXT NOT NULL,
        response_body TEXT,
        secret_sealed TEXT,
        request_count INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX bins_tenant_created ON bins (tenant, created_at);
      CREATE INDEX bins_expires ON bins (expires_at);
      CREATE TABLE bin_requests (
        id TEXT PRIMARY KEY,
        bin_id TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        headers TEXT NOT NULL,
        body BLOB,
        size INTEGER NOT NULL,
        truncated INTEGER NOT NULL,
        remote_address TEXT,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX bin_requests_bin ON bin_requests (bin_id, id);
    `,
  },
];

/**
 * Apply pending migrations. BEGIN IMMEDIATE takes the write lock before reading the current
 * version, so when two processes start at once the second waits (busy_timeout), then re-reads the
 * version inside its own transaction and finds nothing left to do.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number {
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const recorded = db.prepare('SELECT version, name FROM schema_migrations').all() as MigrationName[];
    const mismatch = migrationMismatch(recorded, migrations);
    if (mismatch) throw new MigrationMismatchError(mismatch);
    // Every migration not recorded yet, in version order, as PostgreSQL does: "above the highest
    // recorded" skipped one that arrived with a lower number than one already applied.
    const done = new Set(recorded.map((r) => r.version));
    let applied = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
      applied += 1;
    }
    return applied;
  });
  return run.immediate();
}
