// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's client
// secret string. No signed timestamp: deduplicate on X-Shopify-Webhook-Id.

import type { RawBody } from './body.js';
import type { HeaderInput } from './headers.js';
import { signHmac, verifyHmac } from './hmac.js';
import type { VerifyResult } from './verify-result.js';

export const SHOPIFY_SIGNATURE_HEADER = 'x-shopify-hmac-sha256';
const SCHEME = { header: SHOPIFY_SIGNATURE_HEADER, algorithm: 'sha256', encoding: 'base64' } as const;

/** The `X-Shopify-Hmac-Sha256` value (base64). */
export function signShopify(input: { body: RawBody; secret: string }): string {
  return signHmac({ ...input, ...SCHEME });
}

export function verifyShopify(input: { body: RawBody; headers: HeaderInput; secret: string | readonly string[] }): VerifyResult {
  return verifyHmac({ ...input, ...SCHEME });
}
