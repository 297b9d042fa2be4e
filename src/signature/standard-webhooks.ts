// Standard Webhooks v1 (https://www.standardwebhooks.com), the scheme hookd signs with and the one
// svix uses: base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), sent as `v1,<sig>` in
// `webhook-signature` (or `svix-signature`), space-separated when several secrets are live.

import { createHmac } from 'node:crypto';
import { bodyBytes, type RawBody } from './body.js';
import { safeEqual } from './constant-time.js';
import type { HeaderInput } from './headers.js';
import { readSignedRequestHeaders } from './standard-webhooks-headers.js';
import { decodeSecret } from './standard-webhooks-secret.js';
import { assertSigningTimestamp, assertTolerance, checkTolerance, nowSeconds } from './timestamp.js';
import { DEFAULT_TOLERANCE_SECONDS, verifyFailure, type VerifyFailure } from './verify-result.js';


/**
 * A signature header longer than this is refused before parsing. Node caps all headers at 16 KiB by
 * default, but callers may pass headers from elsewhere; ten live secrets need under 500 bytes.
 */

export interface StandardWebhookSignInput {
  id: string;
  /** Unix seconds of this attempt (re-sign every retry with a fresh timestamp). */
  timestamp: number;
  body: RawBody;
  secret: string;
}

function computeSignature(key: Uint8Array, id: string, timestamp: number, body: Uint8Array): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64');
}

/** `v1,<base64>` for one secret. */
export function signStandardWebhook(input: StandardWebhookSignInput): string {
  assertSigningTimestamp(input.timestamp);
  return `v1,${computeSignature(decodeSecret(input.secret), input.id, input.timestamp, bodyBytes(input.body))}`;
}

/** The `webhook-signature` value: one `v1,...` per live secret, space-separated (rotation). */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: RawBody): string {
  if (secrets.length === 0) throw new RangeError('signatureHeader needs at least one secret');
  const bytes = bodyBytes(body);
  return secrets.map((secret) => signStandardWebhook({ id, timestamp, body: bytes, secret })).join(' ');
}

export interface StandardWebhookVerifyInput {
  body: RawBody;
  headers: HeaderInput;
  /** Every secret currently accepted (old and new during a rotation). Never empty. */
  secrets: string | readonly string[];
  toleranceSeconds?: number;
  /** Milliseconds since the epoch (Date.now() convention) or a Date; defaults to the wall clock. */
  now?: number | Date;
}

export type StandardWebhookVerifyResult = { ok: true; id: string; timestamp: number } | VerifyFailure;

/**
 * Verify a Standard Webhooks (or svix) request. Bad input yields `{ ok: false }`; it throws only for
 * caller mistakes: no secrets, a malformed secret, a parsed body or a negative tolerance.
 *
 * The signature is checked before the timestamp window, so `timestamp_out_of_tolerance` means "a
 * genuine message, but old or from a skewed clock" (actionable), and unauthenticated callers learn
 * nothing about the receiver's clock.
 */
export function verifyStandardWebhook(input: StandardWebhookVerifyInput): StandardWebhookVerifyResult {
  const secretList = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  // "No secret configured, so accept" is a classic hole; make it impossible.
  if (secretList.length === 0) throw new RangeError('verifyStandardWebhook needs at least one secret');
  const keys = secretList.map(decodeSecret);
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  assertTolerance(toleranceSeconds);
  const body = bodyBytes(input.body);

  const read = readSignedRequestHeaders(input.headers);
  if ('ok' in read) return read;
  const { id, timestamp, signatureValue } = read;

  // Unknown versions (v1a, v2 ...) are skipped, not errors, so a sender can add a scheme without
  // breaking old receivers. Node joins repeated header lines with ", ", which leaves a trailing
  // comma on the earlier entries; those simply fail to match, they never throw.
  const candidates: string[] = [];
  for (const entry of signatureValue.split(' ')) {
    if (entry.startsWith('v1,')) candidates.push(entry.slice(3));
  }
  if (candidates.length === 0) return verifyFailure('signature_invalid', 'No v1 signature in the signature header.');

  const expected = keys.map((key) => computeSignature(key, id, timestamp, body));
  // Compare the canonical base64 text rather than decoded bytes: Buffer's base64 decoder ignores
  // stray characters, which would let `<valid sig>!!` pass.
  const matched = candidates.some((candidate) => expected.some((signature) => safeEqual(candidate, signature)));
  if (!matched) {
    return verifyFailure('signature_invalid', 'No signature matches: wrong secret, or the body or headers were altered.');
  }
  const outOfTolerance = checkTolerance(timestamp, nowSeconds(input.now), toleranceSeconds);
  if (outOfTolerance !== null) return outOfTolerance;
  return { ok: true, id, timestamp };
}
