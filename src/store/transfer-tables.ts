// The dialect-neutral shape of every table, for copying an installation from one store to another
// (`hookd migrate --from ... --to ...`). Each adapter maps its own column types to these kinds on
// export and back on import; nothing else about the dialects leaks out.
//
// Why raw rows and not the domain objects: a transfer must keep what the domain API cannot set, such
// as event seq (pull-feed cursors stay valid), lease tokens (fencing stays monotonic), attempt counts
// and sealed secrets, which are copied as ciphertext and never decrypted unless the key changes.

/** How a value travels between stores. */
export type ColumnKind =
  /** string | null */
  | 'text'
  /** integer number | null (epoch ms, counts, seq, lease tokens: all below 2^53) */
  | 'integer'
  /** float number | null */
  | 'real'
  /** boolean */
  | 'boolean'
  /** JSON text | null (jsonb in PostgreSQL, TEXT in SQLite) */
  | 'json'
  /** Buffer | null */
  | 'bytes';

export interface TransferColumn {
  name: string;
  kind: ColumnKind;
  /** SecretBox output: re-sealed when the target uses another key. */
  sealed?: boolean;
}

export interface TransferTableSpec {
  name: TransferTable;
  /** Keyset pagination order (unique, not null). */
  orderBy: string;
  /** Primary key: an existing row with this key is left as it is (a re-run copies only what is missing). */
  primaryKey: string;
  columns: readonly TransferColumn[];
}

export type TransferValue = string | number | boolean | Buffer | null;
/** One row, keyed by column name, values as their ColumnKind says. */
export type TransferRow = Record<string, TransferValue>;

export type TransferTable =
  | 'api_keys'
  | 'event_types'
  | 'endpoints'
  | 'sources'
  | 'events'
  | 'deliveries'
  | 'attempts'
  | 'inbound_requests'
  | 'signing_keys'
  | 'audit_log'
  | 'alert_notifications'
  | 'portal_link_revocations'
  | 'portal_link_uses'
  | 'alert_channels'
  | 'alert_rules'
  | 'bins'
  | 'bin_requests';

const text = (name: string): TransferColumn => ({ name, kind: 'text' });
const int = (name: string): TransferColumn => ({ name, kind: 'integer' });
const json = (name: string): TransferColumn => ({ name, kind: 'json' });
const real = (name: string): TransferColumn => ({ name, kind: 'real' });

/** In dependency order: a table only refers to tables before it (SQLite enforces some of these). */
export const TRANSFER_TABLES: readonly TransferTableSpec[] = [
  {
    name: 'api_keys',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [text('id'), text('name'), text('role'), text('tenant'), text('hash'), text('prefix'), int('created_at'), int('revoked_at'), int('last_used_at')],
  },
  {
    name: 'event_types',
    orderBy: 'name',
    primaryKey: 'name',
    // schema and example are stored as text in both dialects (not jsonb), so they stay byte for byte.
    columns: [text('name'), text('description'), text('schema'), text('example'), int('created_at'), int('updated_at')],
  },
  {
    name: 'endpoints',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('tenant'),
      text('url'),
      text('description'),
      json('event_types'),
      { name: 'auth_sealed', kind: 'text', sealed: true },
      { name: 'secrets_sealed', kind: 'text', sealed: true },
      json('headers'),
      int('timeout_ms'),
      { name: 'rate_limit_per_second', kind: 'real' },
      int('max_concurrency'),
      json('retry_schedule'),
      text('payload_format'),
      { name: 'enabled', kind: 'boolean' },
      text('disabled_reason'),
      int('failing_since'),
      int('created_at'),
      int('updated_at'),
      // Pacing state (migration 3): a Retry-After pause and the next free rate-limit slot. Carried
      // over so a pause a receiver asked for still holds after the move.
      int('paused_until'),
      int('rate_next_at'),
      // Signing mode (migration "ed25519 signing keys").
      text('signing'),
      // Content filter and transform, with its previous versions (migration "endpoint filters and transforms").
      json('filter'),
      json('transform'),
      json('transform_history'),
      // Ordered delivery (migration "ordered delivery per key").
      text('ordering_on_exhausted'),
    ],
  },
  {
    name: 'sources',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('name'),
      text('tenant'),
      { name: 'verify_sealed', kind: 'text', sealed: true },
      json('allow_ips'),
      json('event_type'),
      int('max_body_bytes'),
      int('created_at'),
      int('updated_at'),
      // Ordered delivery (migration "ordered delivery per key").
      json('ordering_key_rule'),
      // Broker sources (migration "broker sources").
      { name: 'consume_sealed', kind: 'text', sealed: true },
    ],
  },
  {
    // Ordered by seq so the target assigns nothing new and pull-feed cursors keep their meaning.
    name: 'events',
    orderBy: 'seq',
    primaryKey: 'id',
    columns: [
      int('seq'),
      text('id'),
      text('type'),
      text('tenant'),
      text('payload'),
      { name: 'raw_body', kind: 'bytes' },
      text('idempotency_key'),
      text('request_hash'),
      text('source_id'),
      int('created_at'),
      text('trace_context'),
    ],
  },
  {
    name: 'deliveries',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('event_id'),
      text('endpoint_id'),
      text('tenant'),
      text('event_type'),
      text('status'),
      int('attempts'),
      int('run_attempts'),
      int('next_attempt_at'),
      int('lease_token'),
      int('lease_expires_at'),
      text('lease_owner'),
      text('last_code'),
      int('last_status'),
      int('created_at'),
      int('updated_at'),
      text('next_trigger'),
      int('run_limit'),
      // Ordered delivery (migration "ordered delivery per key").
      text('ordering_key'),
      int('ordering_seq'),
      { name: 'ordering_blocked', kind: 'boolean' },
    ],
  },
  {
    name: 'attempts',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('delivery_id'),
      text('endpoint_id'),
      text('event_id'),
      text('tenant'),
      int('created_at'),
      int('duration_ms'),
      int('response_status'),
      text('code'),
      text('outcome'),
      text('message'),
      json('request_headers'),
      json('response_headers'),
      text('response_body'),
      text('triggered_by'),
    ],
  },
  {
    name: 'inbound_requests',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('source_id'),
      text('tenant'),
      int('received_at'),
      text('verdict'),
      text('code'),
      text('reason'),
      int('status'),
      text('remote_address'),
      json('headers'),
      text('body'),
      text('dedupe_key'),
      text('event_id'),
    ],
  },
  {
    // Copied with their sealed private keys, so receivers holding the key set notice no move.
    name: 'signing_keys',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('tenant'),
      text('scope'),
      int('generation'),
      { name: 'secret_key_sealed', kind: 'text', sealed: true },
      text('public_key'),
      int('created_at'),
      int('signs_from'),
      int('retires_at'),
    ],
  },
  {
    // Who changed what: moves with the installation, diffs as written (already redacted).
    name: 'audit_log',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [text('id'), int('at'), text('actor_kind'), text('actor_id'), text('actor_name'), text('tenant'), text('request_id'), text('action'), text('target'), json('diff')],
  },
  {
    // Alerts sent (or claimed): moving them keeps a condition that is still firing from notifying again.
    name: 'alert_notifications',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('rule_id'),
      text('subject_kind'),
      text('subject_id'),
      text('tenant'),
      int('window_start'),
      text('state'),
      text('summary'),
      real('value'),
      real('threshold'),
      int('created_at'),
      text('outcome'),
      text('error'),
    ],
  },
  {
    // A revoked portal link stays refused on the copy (rows live at most the longest link lifetime).
    name: 'portal_link_revocations',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [text('id'), int('revoked_at'), int('expires_at')],
  },
  {
    // A single-use link already exchanged must not open a second session on the copy.
    name: 'portal_link_uses',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [text('id'), int('used_at'), int('expires_at')],
  },
  {
    // Alert channels: their secrets travel sealed, re-sealed when the target store has another key.
    name: 'alert_channels',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [text('id'), text('name'), text('kind'), text('tenant'), json('config'), { name: 'secrets_sealed', kind: 'text', sealed: true }, int('created_at'), int('updated_at')],
  },
  {
    name: 'alert_rules',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('name'),
      text('kind'),
      text('tenant'),
      real('threshold'),
      int('window_ms'),
      json('endpoint_ids'),
      json('source_ids'),
      json('channel_ids'),
      { name: 'enabled', kind: 'boolean' },
      int('created_at'),
      int('updated_at'),
    ],
  },
  {
    // Request bins move with the installation: their ids are the capture URLs integrators configured.
    name: 'bins',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('tenant'),
      text('name'),
      text('behaviour'),
      text('response_body'),
      { name: 'secret_sealed', kind: 'text', sealed: true },
      int('request_count'),
      int('expires_at'),
      int('created_at'),
    ],
  },
  {
    name: 'bin_requests',
    orderBy: 'id',
    primaryKey: 'id',
    columns: [
      text('id'),
      text('bin_id'),
      text('method'),
      text('path'),
      text('headers'),
      { name: 'body', kind: 'bytes' },
      int('size'),
      { name: 'truncated', kind: 'boolean' },
      text('remote_address'),
      int('received_at'),
    ],
  },
];

export function transferTable(name: TransferTable): TransferTableSpec {
  const spec = TRANSFER_TABLES.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown table ${String(name)}`);
  return spec;
}

/**
 * Throws when the database has a column the catalogue above does not list: a migration added it and
 * nobody taught the transfer about it, so a copy would silently drop its values. `adapterOnly` are
 * columns one adapter keeps for itself and rebuilds on import.
 */
export function assertCatalogueCovers(spec: TransferTableSpec, actual: readonly string[], adapterOnly: readonly string[] = []): void {
  const known = new Set([...spec.columns.map((c) => c.name), ...adapterOnly]);
  const missing = actual.filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw new Error(`transfer: ${spec.name}.${missing.join(', ')} is not in TRANSFER_TABLES (src/store/transfer-tables.ts); add it there`);
  }
}

/** The pagination key of a row, as the string exportRows hands back in nextKey. */
export function rowKey(spec: TransferTableSpec, row: TransferRow): string {
  const value = row[spec.orderBy];
  if (value === null || value === undefined) throw new Error(`${spec.name}.${spec.orderBy} is null`);
  return String(value);
}
