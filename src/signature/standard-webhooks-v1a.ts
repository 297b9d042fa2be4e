// Standard Webhooks v1a: ed25519 over the same content as v1, `{id}.{timestamp}.{body}`, sent as
// `v1a,<base64 signature>` in `webhook-signature` (space-separated from any `v1,...` entries).
// hookd also names the signing key(s) in `webhook-key-id`, in the order of the v1a entries, so a
// receiver holding a key set knows which key to use (and when to refetch the set).
//
// The key id only selects among keys the receiver already trusts (its configured keys or the key set
// it fetched from a URL it chose); a key is never taken from the request itself.

import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { bodyBytes, type RawBody } from './body.js';
import { decodePublicKey, decodeSigningKey } from './ed25519-keys.js';
import type { HeaderInput } from './headers.js';
import { readSignedRequestHeaders } from './standard-webhooks-headers.js';
import { assertSigningTimestamp, assertTolerance, checkTolerance, nowSeconds } from './timestamp.js';
import { DEFAULT_TOLERANCE_SECONDS, verifyFailure, type VerifyFailure } from './verify-result.js';

export const KEY_ID_HEADER = 'webhook-key-id';
/** base64 of a 64-byte ed25519 signature is exactly 88 characters with padding. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

function signedContent(id: string, timestamp: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
}

export interface V1aSignInput {
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: RawBody;
  /** `whsk_...`, or a private KeyObject already decoded (the dispatcher caches these). */
  secretKey: string | KeyObject;
}

/** `v1a,<base64>` for one key. */
export function signStandardWebhookV1a(input: V1aSignInput): string {
  assertSigningTimestamp(input.timestamp);
  if (input.id.includes('.')) throw new RangeError('The message id must not contain "."');
  const key = typeof input.secretKey === 'string' ? decodeSigningKey(input.secretKey) : input.secretKey;
  return `v1a,${edSign(null, signedContent(input.id, input.timestamp, bodyBytes(input.body)), key).toString('base64')}`;
}

/** A public key the verifier trusts, optionally with its key-set id. */
export interface TrustedKey {
  kid: string | null;
  key: KeyObject;
}

export interface V1aVerifyInput {
  body: RawBody;
  headers: HeaderInput;
  /** `whpk_...` key(s) accepted (old and new during a rotation). Never empty. */
  publicKeys: string | readonly string[];
  toleranceSeconds?: number;
  /** Milliseconds since the epoch or a Date; defaults to the wall clock. */
  now?: number | Date;
}

export type V1aVerifyResult = { ok: true; id: string; timestamp: number; keyId: string | null } | VerifyFailure;

/** The parsed parts of a signed request, before any key is tried. */
export interface V1aRequestParts {
  id: string;
  timestamp: number;
  signatures: Buffer[];
  /** Key ids the sender named in `webhook-key-id` (may be empty). */
  keyIds: string[];
  content: Buffer;
}

/** Parse headers and body into what a v1a check needs; failures are data. */
export function readV1aRequest(body: RawBody, headerInput: HeaderInput): V1aRequestParts | VerifyFailure {
  const bytes = bodyBytes(body);
  const read = readSignedRequestHeaders(headerInput);
  if ('ok' in read) return read;
  const { headers, id, timestamp, signatureValue } = read;
  const signatures: Buffer[] = [];
  for (const entry of signatureValue.split(' ')) {
    // Only canonical base64: Buffer's decoder skips stray characters, which would make several
    // spellings of one signature valid (malleability a replay cache keyed on the text would miss).
    if (entry.startsWith('v1a,') && SIGNATURE_PATTERN.test(entry.slice(4))) signatures.push(Buffer.from(entry.slice(4), 'base64'));
  }
  if (signatures.length === 0) return verifyFailure('signature_invalid', 'No v1a signature in the signature header.');
  const keyIdValue = headers.get(KEY_ID_HEADER) ?? '';
  const keyIds = keyIdValue.length > 1024 ? [] : keyIdValue.split(/[ ,]+/).filter((k) => k.length > 0 && k.length <= 256);
  return { id, timestamp, signatures: signatures.slice(0, 10), keyIds: keyIds.slice(0, 10), content: signedContent(id, timestamp, bytes) };
}

/** Which trusted key (if any) made one of the signatures. */
export function matchV1a(parts: V1aRequestParts, keys: readonly TrustedKey[]): TrustedKey | null {
  for (const key of keys) {
    for (const signature of parts.signatures) {
      if (edVerify(null, parts.content, key.key, signature)) return key;
    }
  }
  return null;
}

/** Signature first, then the window (same order and reasons as v1). */
export function finishV1a(parts: V1aRequestParts, matched: TrustedKey | null, toleranceSeconds: number, now: number | Date | undefined): V1aVerifyResult {
  if (matched === null) {
    return verifyFailure('signature_invalid', 'No v1a signature matches a trusted key: wrong key, or the body or headers were altered.');
  }
  const outOfTolerance = checkTolerance(parts.timestamp, nowSeconds(now), toleranceSeconds);
  if (outOfTolerance !== null) return outOfTolerance;
  return { ok: true, id: parts.id, timestamp: parts.timestamp, keyId: matched.kid };
}

/**
 * Verify a Standard Webhooks v1a request with given public keys. Throws only for caller mistakes
 * (no key, a malformed key, a parsed body, a bad tolerance); hostile input yields `{ ok: false }`.
 */
export function verifyStandardWebhookV1a(input: V1aVerifyInput): V1aVerifyResult {
  const list = typeof input.publicKeys === 'string' ? [input.publicKeys] : input.publicKeys;
  if (list.length === 0) throw new RangeError('verifyStandardWebhookV1a needs at least one public key');
  const keys = list.map((k) => ({ kid: null, key: decodePublicKey(k) }));
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  assertTolerance(toleranceSeconds);
  const parts = readV1aRequest(input.body, input.headers);
  if ('ok' in parts) return parts;
  return finishV1a(parts, matchV1a(parts, keys), toleranceSeconds, input.now);
}
