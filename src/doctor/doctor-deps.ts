// What the doctor is given. Everything that touches the network, the store or the clock is injected,
// so the API, the CLI and tests build the same checks with their own collaborators.

import type { SchemaChecker } from '../core/payload-check.js';
import type { AuthProvider, Sender } from '../delivery/sender-types.js';
import type { DestinationRegistry } from '../delivery/destinations/registry.js';
import type { SsrfPolicy } from '../delivery/ssrf-policy.js';
import type { Store } from '../store/store.js';
import type { SigningKeyService } from '../delivery/signing-key-service.js';

export interface DoctorDeps {
  policy: SsrfPolicy;
  /** The same sender deliveries use: pinned DNS, split timeouts, no redirects, capped body. */
  sender: Sender;
  auth: AuthProvider;
  checker: SchemaChecker;
  /** Needed by the event, payload and logs steps of an endpoint; without it they are skipped. */
  store?: Store | undefined;
  now: () => number;
  /** TCP and TLS handshake timeout (HOOKD_CONNECT_TIMEOUT_MS); capped by the target's timeout. */
  connectTimeoutMs: number;
  /** Timeout of an ad-hoc target that names none (HOOKD_DEFAULT_TIMEOUT_MS). Default 15 s. */
  defaultTimeoutMs?: number | undefined;
  userAgent: string;
  /** The tenants' ed25519 keys: probes of endpoints signing with ed25519 are signed like deliveries. */
  signingKeys?: SigningKeyService | undefined;
  /** HOOKD_REQUIRE_HTTPS: an http:// target then fails the address step as invalid_url. */
  requireHttps?: boolean | undefined;
  /** Extra trust anchors (PEM) for the tls step and the HTTP probe: a private CA, or tests. */
  extraCa?: string | undefined;
  /** How far back the event step looks for published events. Default 24 h. */
  eventWindowMs?: number | undefined;
  /** How many recent attempts the logs step summarises. Default 50. */
  logLimit?: number | undefined;
  /** The broker destinations (amqp, nats, mqtt, redis): their URLs get the broker steps. */
  destinations?: DestinationRegistry | undefined;
  /** Response bytes the HTTP probe reads, as deliveries do. Default 16 KiB. */
  maxResponseBytes?: number | undefined;
}
