// The provider's delivery id, which makes a retried delivery recognisable: the store keeps one
// accepted request per (source, key), and a repeat is acknowledged without a second event.
//
// Per scheme, in order of preference:
// - standard-webhooks: `webhook-id`, else `svix-id` (the same message id on every retry, by spec);
// - stripe: the event `id` (`evt_...`) from the body: Stripe sends no delivery-id header, and retries
//   carry the same event object;
// - github: `X-GitHub-Delivery` (GitHub signs no timestamp, so this is the only replay defence and
//   lasts as long as the request log: HOOKD_RETENTION_DAYS);
// - shopify: `X-Shopify-Webhook-Id`, else `X-Shopify-Event-Id`;
// - hmac, api-key, bearer, basic, none: `Idempotency-Key`, else `webhook-id`/`svix-id` (a partner or
//   another hookd that sends Standard Webhooks headers with another auth).
//
// Decisions:
// - No `X-Request-Id`: proxies and HTTP clients mint one per hop and per attempt, so it never matches
//   a retry, and a sender that reuses one for different deliveries would lose events.
// - No body-hash fallback: two genuinely identical deliveries (a "ping" sent twice) are two events, and
//   collapsing them silently would lose one. Without a delivery id, requests are not deduplicated.
// - Keys longer than 200 characters are stored as their sha256 (the index stays small, and padding a
//   header cannot push a key past a column limit).

import { createHash } from 'node:crypto';
import type { VerifyConfig } from '../core/inbound-types.js';
import { resolvePointer } from './event-type-rule.js';

const MAX_KEY_LENGTH = 200;

const HEADERS_BY_SCHEME: Record<VerifyConfig['scheme'], readonly string[]> = {
  'standard-webhooks': ['webhook-id', 'svix-id'],
  stripe: [],
  github: ['x-github-delivery'],
  shopify: ['x-shopify-webhook-id', 'x-shopify-event-id'],
  hmac: ['idempotency-key', 'webhook-id', 'svix-id'],
  'api-key': ['idempotency-key', 'webhook-id', 'svix-id'],
  bearer: ['idempotency-key', 'webhook-id', 'svix-id'],
  basic: ['idempotency-key', 'webhook-id', 'svix-id'],
  none: ['idempotency-key', 'webhook-id', 'svix-id'],
};

function normalise(key: string): string | null {
  const trimmed = key.trim();
  if (trimmed === '') return null;
  // Control characters (U+0000 above all, which PostgreSQL text cannot hold) are kept out of the
  // column the same way as length: the key is stored as its hash, and deduplicates just the same.
  // eslint-disable-next-line no-control-regex
  const storable = trimmed.length <= MAX_KEY_LENGTH && !/[\u0000-\u001f]/.test(trimmed);
  return storable ? trimmed : `sha256:${createHash('sha256').update(trimmed, 'utf8').digest('hex')}`;
}

/**
 * The delivery id of a verified request, or null when the provider sent none. `body` is the parsed
 * JSON (used for Stripe's event id).
 */
export function dedupeKey(scheme: VerifyConfig['scheme'], headers: Readonly<Record<string, string | string[] | undefined>>, body: unknown): string | null {
  if (scheme === 'stripe') {
    const id = resolvePointer(body, '/id');
    return typeof id === 'string' ? normalise(id) : null;
  }
  for (const name of HEADERS_BY_SCHEME[scheme]) {
    const raw = headers[name];
    // A repeated id header is ambiguous (which one is the delivery?): treat it as absent.
    if (Array.isArray(raw)) continue;
    const key = raw === undefined ? null : normalise(raw);
    if (key !== null) return key;
  }
  return null;
}
