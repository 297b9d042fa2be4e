// The one schema of every setting: its config-file key, environment variable, command-line flag,
// default, documentation and parser. docs/config.md is generated from this table (a test keeps it in
// step), and nothing else in hookd reads process.env for its own settings.

export type SettingType = 'string' | 'integer' | 'boolean' | 'enum' | 'cidr-list';

export interface SettingSpec<T> {
  env: string;
  /** Long flag for `hookd serve`, without the dashes. */
  flag?: string;
  type: SettingType;
  default: T;
  doc: string;
  /** Masked in --print-config and logs. */
  secret?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
}

const MiB = 1024 * 1024;

export const SETTINGS = {
  port: { env: 'HOOKD_PORT', flag: 'port', type: 'integer', default: 8080, min: 0, max: 65535, doc: 'Port the API, ingress and dashboard listen on (PORT is read too).' },
  host: { env: 'HOOKD_HOST', flag: 'host', type: 'string', default: '127.0.0.1', doc: 'Address to listen on. Use 0.0.0.0 to accept connections from other machines.' },
  publicUrl: { env: 'HOOKD_PUBLIC_URL', flag: 'public-url', type: 'string', default: '', doc: 'Base URL users reach hookd at (used for ingress URLs). Defaults to the listen address.' },
  databaseUrl: { env: 'DATABASE_URL', flag: 'database-url', type: 'string', default: '', secret: true, doc: 'postgres://... for PostgreSQL; sqlite:<path> or empty for embedded SQLite in <dataDir>/hookd.db.' },
  dataDir: { env: 'HOOKD_DATA_DIR', flag: 'data-dir', type: 'string', default: './.hookd', doc: 'Directory for the SQLite database and the generated secret key.' },
  role: { env: 'HOOKD_ROLE', flag: 'role', type: 'enum', values: ['all', 'api', 'worker'], default: 'all', doc: 'api serves HTTP only, worker delivers only, all does both.' },
  adminKey: { env: 'HOOKD_ADMIN_KEY', type: 'string', default: '', secret: true, doc: 'Makes this exact value a valid admin API key (automation, tests). Unset: a key is generated and printed once on first start.' },
  secretKey: { env: 'HOOKD_SECRET_KEY', type: 'string', default: '', secret: true, doc: 'Key that encrypts signing secrets and credentials at rest: 32 bytes as 64 hex characters or base64. Unset: generated into <dataDir>/secret.key (mode 0600).' },
  allowPrivate: { env: 'HOOKD_ALLOW_PRIVATE', flag: 'allow-private', type: 'cidr-list', default: '', doc: 'Comma-separated CIDR ranges exempt from the SSRF policy (e.g. 127.0.0.1/32,10.0.0.0/8). Empty: only public addresses.' },
  trustedProxies: { env: 'HOOKD_TRUSTED_PROXIES', type: 'cidr-list', default: '', doc: 'Comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For is believed for inbound IP allowlists. Empty: the socket peer is the client.' },
  requireHttps: { env: 'HOOKD_REQUIRE_HTTPS', flag: 'require-https', type: 'boolean', default: false, doc: 'Refuse http:// endpoint URLs.' },
  validateResponses: { env: 'HOOKD_VALIDATE_RESPONSES', type: 'boolean', default: false, doc: 'Check every API answer against its documented response model before sending it; a mismatch is logged and answered 500. For tests and development (the test suite turns it on); off in production, where answers are only serialised.' },
  requireEventTypes: { env: 'HOOKD_REQUIRE_EVENT_TYPES', type: 'boolean', default: false, doc: 'Refuse to publish event types missing from the catalogue (422).' },
  tlsCert: { env: 'HOOKD_TLS_CERT', flag: 'tls-cert', type: 'string', default: '', doc: 'PEM certificate file: serve HTTPS.' },
  tlsKey: { env: 'HOOKD_TLS_KEY', flag: 'tls-key', type: 'string', default: '', doc: 'PEM private key file for --tls-cert.' },
  maxBodyBytes: { env: 'HOOKD_MAX_BODY_BYTES', type: 'integer', default: MiB, min: 1024, max: 64 * MiB, doc: 'Largest accepted request body (413 above).' },
  headersTimeoutMs: { env: 'HOOKD_HEADERS_TIMEOUT_MS', type: 'integer', default: 10_000, min: 1000, max: 600_000, doc: 'A client must send a request\'s headers within this long, or the connection is closed (API and ingress; guards against slow-header attacks).' },
  requestTimeoutMs: { env: 'HOOKD_REQUEST_TIMEOUT_MS', type: 'integer', default: 30_000, min: 1000, max: 3_600_000, doc: 'A client must send a whole request, headers and body, within this long (answered 408, then closed). At least HOOKD_HEADERS_TIMEOUT_MS. Long-polls and streams are not bounded by it: it ends when the request is received.' },
  maxEndpointsPerTenant: { env: 'HOOKD_MAX_ENDPOINTS_PER_TENANT', type: 'integer', default: 1000, min: 1, max: 1_000_000, doc: 'Cap on endpoints per tenant (and for endpoints without a tenant).' },
  binMaxBodyBytes: { env: 'HOOKD_BIN_MAX_BODY_BYTES', type: 'integer', default: MiB, min: 1024, max: 64 * MiB, doc: 'Request bins: the largest body kept per captured request. A larger body is kept truncated to this size (flagged `truncated`, with its real size), so the fact that it came is never lost.' },
  binMaxRequests: { env: 'HOOKD_BIN_MAX_REQUESTS', type: 'integer', default: 500, min: 1, max: 100_000, doc: 'Request bins: captured requests kept per bin; the oldest are pruned when a new one arrives.' },
  binMaxPerTenant: { env: 'HOOKD_BIN_MAX_PER_TENANT', type: 'integer', default: 100, min: 1, max: 100_000, doc: 'Request bins: cap on bins per tenant (and for bins without a tenant).' },
  binTtlSeconds: { env: 'HOOKD_BIN_TTL_SECONDS', type: 'integer', default: 7 * 86400, min: 60, max: 365 * 86400, doc: 'Request bins expire this long after creation unless created with another `expiresInSeconds` (at most this); an expired bin answers 410 and is pruned with retention.' },
  apiRateLimit: { env: 'HOOKD_API_RATE_LIMIT', type: 'integer', default: 2000, min: 0, max: 1_000_000, doc: 'Requests per second allowed per API key (burst of twice that); 0 disables the limit.' },
  defaultTimeoutMs: { env: 'HOOKD_DEFAULT_TIMEOUT_MS', type: 'integer', default: 15_000, min: 1000, max: 60_000, doc: 'Attempt timeout for endpoints that do not set timeoutMs.' },
  connectTimeoutMs: { env: 'HOOKD_CONNECT_TIMEOUT_MS', type: 'integer', default: 5000, min: 100, max: 60_000, doc: 'TCP (and TLS) connect timeout of every attempt.' },
  defaultMaxConcurrency: { env: 'HOOKD_DEFAULT_MAX_CONCURRENCY', type: 'integer', default: 20, min: 1, max: 1000, doc: 'In-flight attempts per endpoint for endpoints that do not set maxConcurrency.' },
  failingDisableAfterSeconds: { env: 'HOOKD_DISABLE_AFTER_SECONDS', type: 'integer', default: 5 * 86400, min: 60, max: 365 * 86400, doc: 'An endpoint whose attempts have all failed for this long is disabled (reason failing).' },
  rotationGraceSeconds: { env: 'HOOKD_ROTATION_GRACE_SECONDS', type: 'integer', default: 86400, min: 0, max: 30 * 86400, doc: 'After rotate-secret, the old secret keeps signing this long.' },
  signingKeyOverlapSeconds: { env: 'HOOKD_SIGNING_KEY_OVERLAP_SECONDS', type: 'integer', default: 86400, min: 0, max: 30 * 86400, doc: 'During an ed25519 key rotation, the old and the new key both sign deliveries this long; then the old key is retired from the key set.' },
  signingKeyRotationDays: { env: 'HOOKD_SIGNING_KEY_ROTATION_DAYS', type: 'integer', default: 90, min: 0, max: 3650, doc: 'A tenant’s ed25519 signing key is rotated automatically when it is this old (0: only on request, `hookd signing-keys rotate`).' },
  keySetMaxAgeSeconds: { env: 'HOOKD_KEY_SET_MAX_AGE_SECONDS', type: 'integer', default: 300, min: 0, max: 86400, doc: 'Cache-Control max-age of the public key set (/.well-known/webhooks/jwks.json). A new key is published this long before it first signs, so caching receivers see it in time.' },
  transformMemoryMb: { env: 'HOOKD_TRANSFORM_MEMORY_MB', type: 'integer', default: 32, min: 4, max: 512, doc: 'Memory cap of one endpoint transform (its QuickJS sandbox heap), in MiB. A transform that allocates more fails its attempt with transform_failed.' },
  transformCpuMs: { env: 'HOOKD_TRANSFORM_CPU_MS', type: 'integer', default: 100, min: 5, max: 10_000, doc: 'CPU time cap of one run of an endpoint transform, in ms. A transform that runs longer is interrupted and its attempt fails with transform_failed.' },
  workerConcurrency: { env: 'HOOKD_WORKER_CONCURRENCY', type: 'integer', default: 512, min: 1, max: 100_000, doc: 'Attempts in flight per process, over all endpoints.' },
  heapGrowthPercent: { env: 'HOOKD_HEAP_GROWTH_PERCENT', type: 'integer', default: 150, min: 0, max: 1000, doc: 'How far the JavaScript heap may grow past what the last full garbage collection kept before the next one, in percent (V8 --heap-growing-percent); 0 leaves it to V8, which lets a busy server grow to 4x. 150 kept a 1,000,000-delivery drain at 259 MB RSS (SQLite) and 235 MB (PostgreSQL) for ~2% more CPU per delivery (docs/performance.md).' },
  pgPreparedStatements: { env: 'HOOKD_PG_PREPARED_STATEMENTS', type: 'boolean', default: true, doc: 'PostgreSQL: run statements as named prepared statements, so each connection parses and plans a statement once (measured: 0.69-0.81x the PostgreSQL server CPU per delivery in burst-1x, backlog and paced, unchanged in burst-fanout; docs/performance.md). Set false behind a connection pooler that cannot keep prepared statements across transactions (PgBouncer before 1.21 in transaction mode).' },
  claimBatch: { env: 'HOOKD_CLAIM_BATCH', type: 'integer', default: 256, min: 1, max: 10_000, doc: 'Deliveries claimed per database round trip, at most. While attempts are in flight and there is room for fewer than this or a quarter of HOOKD_WORKER_CONCURRENCY, whichever is smaller, a process waits for that much room, up to 20 ms after its last claim, instead of claiming each freed slot on its own.' },
  pollIntervalMs: { env: 'HOOKD_POLL_INTERVAL_MS', type: 'integer', default: 1000, min: 10, max: 60_000, doc: 'Longest an idle worker sleeps before looking for due deliveries (publishes wake it at once).' },
  leaseGraceMs: { env: 'HOOKD_LEASE_GRACE_MS', type: 'integer', default: 30_000, min: 1000, max: 3_600_000, doc: 'Added to the endpoint timeout to form a claim lease; a crashed worker’s deliveries return after it.' },
  heartbeatMs: { env: 'HOOKD_HEARTBEAT_MS', type: 'integer', default: 1000, min: 100, max: 60_000, doc: 'How often a delivering process refreshes its lease-owner heartbeat and looks for dead owners.' },
  ownerDeadAfterMs: { env: 'HOOKD_OWNER_DEAD_AFTER_MS', type: 'integer', default: 5000, min: 500, max: 3_600_000, doc: 'A delivering process with no heartbeat for this long is presumed dead: its in-flight deliveries are handed back at once (fenced), not when their leases expire. At least twice HOOKD_HEARTBEAT_MS.' },
  shutdownGraceMs: { env: 'HOOKD_SHUTDOWN_GRACE_MS', type: 'integer', default: 10_000, min: 0, max: 600_000, doc: 'On SIGTERM, how long in-flight attempts and requests may finish before the rest are released and cut; the process exits within this plus 2 s.' },
  alertEvaluateMs: { env: 'HOOKD_ALERT_EVALUATE_MS', type: 'integer', default: 30_000, min: 100, max: 3_600_000, doc: 'How often a worker re-reads the alert rules and channels and evaluates the error_rate, latency_p95 and source_rejecting rules (the event rules react at once).' },
  retentionDays: { env: 'HOOKD_RETENTION_DAYS', type: 'integer', default: 30, min: 1, max: 3650, doc: 'Events, deliveries, attempts and inbound requests older than this are pruned.' },
  auditRetentionDays: { env: 'HOOKD_AUDIT_RETENTION_DAYS', type: 'integer', default: 365, min: 1, max: 3650, doc: 'Audit log records (GET /v1/audit) older than this are pruned. Kept longer than events by default: who changed what matters after the traffic is gone.' },
  logLevel: { env: 'HOOKD_LOG_LEVEL', flag: 'log-level', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', doc: 'Log level (JSON lines on stdout).' },
  metricsToken: { env: 'HOOKD_METRICS_TOKEN', type: 'string', default: '', secret: true, doc: 'When set, GET /metrics requires `Authorization: Bearer <token>`.' },
  metricsTopEndpoints: { env: 'HOOKD_METRICS_TOP_ENDPOINTS', type: 'integer', default: 50, min: 0, max: 10_000, doc: 'Endpoints with their own `endpoint` label in /metrics (the busiest by attempts, or by due deliveries for queue gauges); the rest are grouped as `other`. 0 groups all.' },
  readyStallMs: { env: 'HOOKD_READY_STALL_MS', type: 'integer', default: 60_000, min: 100, max: 3_600_000, doc: 'GET /readyz fails when the dispatcher loop has not run, or attempt results have failed to be written, for this long.' },
} as const satisfies Record<string, SettingSpec<unknown>>;

export type SettingKey = keyof typeof SETTINGS;

type ValueOf<S> = S extends { type: 'integer' } ? number : S extends { type: 'boolean' } ? boolean : S extends { type: 'cidr-list' } ? string[] : string;

export type Config = { -readonly [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> };
