// Inbound (receiving) domain types: sources and their request log.

export type VerifyConfig =
  /** `publicKeys` (`whpk_...`): v1a (ed25519) signatures are accepted too, alongside v1 with `secret`. */
  | { scheme: 'standard-webhooks'; secret: string; publicKeys?: string[] | undefined; toleranceSeconds?: number | undefined }
  | { scheme: 'stripe'; secret: string; toleranceSeconds?: number | undefined }
  | { scheme: 'github'; secret: string }
  | { scheme: 'shopify'; secret: string }
  | {
      scheme: 'hmac';
      secret: string;
      header: string;
      algorithm: 'sha256' | 'sha512';
      encoding: 'hex' | 'base64';
      prefix?: string | undefined;
    }
  | { scheme: 'api-key'; header: string; value: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'none' };

/** How an accepted request's event type is derived. */
export type EventTypeRule = string | { header: string } | { pointer: string };

export interface Source {
  id: string;
  name: string;
  tenant: string | null;
  verify: VerifyConfig;
  allowIps: string[] | null;
  eventType: EventTypeRule | null;
  /**
   * Ordered delivery per key for the events of this source (docs/routing.md, "Ordering"): a fixed
   * key, { header } or { pointer } into the body, like eventType. null/absent: unordered.
   */
  orderingKey?: EventTypeRule | null;
  maxBodyBytes: number | null;
  /**
   * Consume from a broker instead of (as well as) listening on /in/{id} (docs/destinations.md,
   * "Broker sources"). Sealed at rest: the credentials live here. null/absent: HTTP only.
   */
  consume?: ConsumeConfig | null;
  createdAt: number;
  updatedAt: number;
}

/** A broker subscription of a source: the URL names queue/stream/subject/topic; credentials apart. */
export interface ConsumeConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

export type InboundVerdict = 'accepted' | 'duplicate' | 'rejected';

export interface InboundRequest {
  id: string;
  sourceId: string;
  tenant: string | null;
  receivedAt: number;
  verdict: InboundVerdict;
  /** Stable error code for a rejection, null when accepted. */
  code: string | null;
  reason: string | null;
  status: number;
  remoteAddress: string | null;
  /** Credential headers are redacted before this is stored. */
  headers: Record<string, string>;
  /** Capped copy of the body, as text (lossy for binary). */
  body: string | null;
  /** The provider's delivery id, used for deduplication. */
  dedupeKey: string | null;
  eventId: string | null;
}

/** What the ingress answers a provider's retry of a delivery it already has: 200, not 202. */
export const DUPLICATE_STATUS = 200;

/**
 * The log entry for a repeat of an accepted delivery id. It records what the sender was actually
 * told (200 {duplicate: true}) rather than the 202 "verified" the request would have earned as a
 * first copy, so the log never contradicts the answer.
 */
export function asDuplicate(request: InboundRequest, firstId: string, eventId: string | null): InboundRequest {
  return {
    ...request,
    verdict: 'duplicate',
    status: DUPLICATE_STATUS,
    reason: `Duplicate of ${firstId} (same delivery id): acknowledged, not processed again.`,
    eventId,
  };
}
