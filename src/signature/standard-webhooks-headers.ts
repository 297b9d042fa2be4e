// The three Standard Webhooks headers (or their svix-* spellings), read and checked the same way for
// the v1 (HMAC) and v1a (ed25519) schemes: present, a well-formed timestamp, a signature header of
// sane length. Each scheme then picks its own entries out of the signature header.

import { firstHeader, normalizeHeaders, type HeaderInput } from './headers.js';
import { parseUnixSeconds } from './timestamp.js';
import { verifyFailure, type VerifyFailure } from './verify-result.js';

const ID_HEADERS = ['webhook-id', 'svix-id'] as const;
const TIMESTAMP_HEADERS = ['webhook-timestamp', 'svix-timestamp'] as const;
const SIGNATURE_HEADERS = ['webhook-signature', 'svix-signature'] as const;
/** Longer signature headers are refused before they are split (a cheap bound on hostile input). */
export const MAX_SIGNATURE_HEADER_LENGTH = 16 * 1024;

export interface SignedRequestHeaders {
  /** All headers, lower-cased (for scheme-specific ones such as webhook-key-id). */
  headers: Map<string, string>;
  id: string;
  timestamp: number;
  signatureValue: string;
}

export function readSignedRequestHeaders(input: HeaderInput): SignedRequestHeaders | VerifyFailure {
  const headers = normalizeHeaders(input);
  const id = firstHeader(headers, ID_HEADERS);
  const timestampValue = firstHeader(headers, TIMESTAMP_HEADERS);
  const signatureValue = firstHeader(headers, SIGNATURE_HEADERS);
  if (id === undefined || id === '' || timestampValue === undefined || signatureValue === undefined) {
    const missing = [
      id === undefined || id === '' ? 'webhook-id' : null,
      timestampValue === undefined ? 'webhook-timestamp' : null,
      signatureValue === undefined ? 'webhook-signature' : null,
    ].filter((name) => name !== null);
    return verifyFailure('signature_missing', `Missing header(s): ${missing.join(', ')} (or the svix-* equivalents).`);
  }
  const timestamp = parseUnixSeconds(timestampValue);
  if (typeof timestamp !== 'number') return timestamp;
  if (signatureValue.length > MAX_SIGNATURE_HEADER_LENGTH) return verifyFailure('signature_invalid', 'The signature header is too long.');
  return { headers, id, timestamp, signatureValue };
}
