// What the API layer is given by the composition root (runtime/). Route files depend on this shape,
// never on concrete adapters.

import type { Config } from '../config/settings.js';
import type { SchemaChecker } from '../core/payload-check.js';
import type { Publisher } from '../delivery/publisher.js';
import type { Store } from '../store/store.js';
import type { EventBus } from '../core/event-bus.js';
import type { Attempt } from '../core/types.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReadinessCheck } from '../observability/readiness.js';
import type { Tracing } from '../observability/tracing.js';
import type { ShutdownRegistry } from '../core/shutdown-registry.js';
import type { SigningKeyService } from '../delivery/signing-key-service.js';
import type { TransformRunner } from '../delivery/transform-runner.js';
import type { AlertSender } from '../delivery/alerts/alert-senders.js';

/** Vets an endpoint URL against the SSRF policy (and HTTPS requirement) at create/update time. */
export type UrlVetter = (url: string) => Promise<{ ok: true } | { ok: false; code: 'invalid_url' | 'blocked_address' | 'dns_not_found' | 'dns_failure'; message: string }>;

export interface DeliverNow {
  /** Claim and send one delivery immediately; resolves with the recorded attempt (null if not claimable). */
  deliverNow(deliveryId: string): Promise<Attempt | null>;
  /** Nudge the dispatcher: new due work exists. */
  wake(): void;
}

export interface ApiContext {
  config: Config;
  store: Store;
  publisher: Publisher;
  checker: SchemaChecker;
  vetUrl: UrlVetter;
  dispatcher: DeliverNow;
  bus: EventBus;
  version: string;
  now: () => number;
  /** sha256 hex of HOOKD_ADMIN_KEY, when set. */
  adminKeyHash: string | null;
  /** Forget cached OAuth2 tokens after an endpoint's auth changed. */
  forgetAuth: (endpointId: string) => void;
  /** Key that signs tenant-portal tokens (derived from the secret key, so every process agrees). */
  portalKey?: Buffer | undefined;
  /** The tenants' ed25519 signing keys (key set, rotation). */
  signingKeys: SigningKeyService;
  /** Prometheus metrics (GET /metrics is served when present). */
  metrics?: Metrics | undefined;
  /** OpenTelemetry spans (the ingress gets a `hookd.inbound` span when present). */
  tracing?: Tracing | undefined;
  /** What GET /readyz checks; without it, only the database. */
  readiness?: ReadinessCheck | undefined;
  /** Endpoint transforms, for the transform test (the dispatcher runs the same runner). */
  transforms?: TransformRunner | undefined;
  /** Streams and long-polls register here to be ended when the server stops. */
  shutdown?: ShutdownRegistry | undefined;
  /** Sends alert notifications (POST /v1/alerts/channels/:id/test uses the evaluator's sender). */
  alertSender?: AlertSender | undefined;
}
