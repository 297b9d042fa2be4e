// Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>][,v0=...]`, where each v1 is
// HMAC-SHA256(secret, `${t}.${body}`) in hex. The key is the `whsec_...` string as given (unlike
// Standard Webhooks, Stripe does not base64-decode it).
//
// Differences from stripe-node, on purpose: the tolerance is two-sided (stripe-node only rejects old
// timestamps), `toleranceSeconds: 0` means "exactly now" rather than "skip the check", and a repeated
// header (node joins the lines with ", ") is parsed instead of throwing: two `t=` values are refused.

import { bodyBytes, type RawBody } from './body.js';
import { safeEqual } from './constant-time.js';
import { normalizeHeaders, type HeaderInput } from './headers.js';
import { hmacDigest, secretList } from './hmac.js';
import { assertSigningTimestamp, assertTolerance, checkTolerance, nowSeconds, parseUnixSeconds } from './timestamp.js';
import { DEFAULT_TOLERANCE_SECONDS, verifyFailure, type TimestampedVerifySuccess, type VerifyFailure } from './verify-result.js';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';
const MAX_SIGNATURE_HEADER_LENGTH = 16 * 1024;

export interface StripeSignInput {
  body: RawBody;
  secret: string;
  /** Unix seconds. */
  timestamp: number;
}

/** The `Stripe-Signature` value, `t=<timestamp>,v1=<hex>`. */
export function signStripe(input: StripeSignInput): string {
  assertSigningTimestamp(input.timestamp);
  secretList(input.secret);
  return `t=${input.timestamp},v1=${hmacDigest('sha256', 'hex', input.secret, `${input.timestamp}.`, input.body)}`;
}

export interface StripeVerifyInput {
  body: RawBody;
  headers: HeaderInput;
  /** The endpoint's signing secret (`whsec_...`), or several while rolling it. */
  secret: string | readonly string[];
  toleranceSeconds?: number;
  /** Milliseconds since the epoch or a Date; defaults to the wall clock. */
  now?: number | Date;
}

export function verifyStripe(input: StripeVerifyInput): TimestampedVerifySuccess | VerifyFailure {
  const secrets = secretList(input.secret);
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  assertTolerance(toleranceSeconds);
  const body = bodyBytes(input.body);
  const value = normalizeHeaders(input.headers).get(STRIPE_SIGNATURE_HEADER);
  if (value === undefined || value.trim() === '') return verifyFailure('signature_missing', 'Missing Stripe-Signature header.');
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) return verifyFailure('signature_invalid', 'The Stripe-Signature header is too long.');

  const timestamps: string[] = [];
  const candidates: string[] = [];
  for (const item of value.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const itemValue = item.slice(separator + 1).trim();
    if (key === 't') timestamps.push(itemValue);
    else if (key === 'v1') candidates.push(itemValue.toLowerCase());
    // v0 (test-mode legacy) and unknown schemes are ignored, as Stripe documents.
  }
  const [timestampText, ...extraTimestamps] = timestamps;
  if (timestampText === undefined) return verifyFailure('timestamp_invalid', 'Stripe-Signature has no t= timestamp.');
  if (extraTimestamps.length > 0) return verifyFailure('timestamp_invalid', 'Stripe-Signature has more than one t= timestamp.');
  const timestamp = parseUnixSeconds(timestampText);
  if (typeof timestamp !== 'number') return timestamp;
  if (candidates.length === 0) return verifyFailure('signature_invalid', 'Stripe-Signature has no v1 signature.');

  // Stripe signs the decimal form of the parsed number (so `t=0123` signs "123."); match that.
  const expected = secrets.map((secret) => hmacDigest('sha256', 'hex', secret, `${timestamp}.`, body));
  const matched = candidates.some((candidate) => expected.some((digest) => safeEqual(candidate, digest)));
  if (!matched) {
    return verifyFailure('signature_invalid', 'No signature matches: wrong secret, or the body was altered.');
  }
  const outOfTolerance = checkTolerance(timestamp, nowSeconds(input.now), toleranceSeconds);
  return outOfTolerance ?? { ok: true, timestamp };
}
