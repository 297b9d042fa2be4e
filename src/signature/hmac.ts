// Generic "HMAC of the raw body in a header" scheme, used by many providers (and, with fixed
// parameters, by GitHub and Shopify). The secret is used as given (its UTF-8 bytes), not decoded.

import { createHmac } from 'node:crypto';
import { bodyBytes, type RawBody } from './body.js';
import { safeEqual } from './constant-time.js';
import { normalizeHeaders, type HeaderInput } from './headers.js';
import { verifyFailure, type VerifyResult } from './verify-result.js';

export type HmacAlgorithm = 'sha256' | 'sha512';
export type HmacEncoding = 'hex' | 'base64';

export interface HmacScheme {
  /** Header carrying the signature (any case). */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: HmacEncoding;
  /** Literal text before the digest, e.g. `sha256=`; compared case-sensitively. */
  prefix?: string | undefined;
}

export interface HmacSignInput {
  body: RawBody;
  secret: string;
  algorithm: HmacAlgorithm;
  encoding: HmacEncoding;
  prefix?: string | undefined;
}

export interface HmacVerifyInput extends HmacScheme {
  body: RawBody;
  headers: HeaderInput;
  /** One secret, or several during a rotation (any match passes). */
  secret: string | readonly string[];
}

const MAX_SIGNATURE_HEADER_LENGTH = 16 * 1024;

function assertScheme(scheme: HmacScheme): void {
  // These come from configuration; an unknown algorithm must not fall through to createHmac's error
  // on the first request, and an empty header name would make every request "missing".
  if (scheme.algorithm !== 'sha256' && scheme.algorithm !== 'sha512') {
    throw new RangeError(`Unsupported HMAC algorithm: ${String(scheme.algorithm)}`);
  }
  if (scheme.encoding !== 'hex' && scheme.encoding !== 'base64') {
    throw new RangeError(`Unsupported HMAC encoding: ${String(scheme.encoding)}`);
  }
  if (typeof scheme.header !== 'string' || scheme.header.trim() === '') throw new RangeError('The HMAC header name is empty');
}

export function secretList(secret: string | readonly string[]): readonly string[] {
  const list = typeof secret === 'string' ? [secret] : secret;
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new RangeError('A signing secret is required (an empty secret would accept forgeries made with an empty key)');
  }
  return list;
}

export function hmacDigest(algorithm: HmacAlgorithm, encoding: HmacEncoding, secret: string, ...parts: RawBody[]): string {
  const hmac = createHmac(algorithm, Buffer.from(secret, 'utf8'));
  for (const part of parts) hmac.update(bodyBytes(part));
  return hmac.digest(encoding);
}

/** The header value: `${prefix}${digest}`. */
export function signHmac(input: HmacSignInput): string {
  assertScheme({ header: 'x', algorithm: input.algorithm, encoding: input.encoding });
  secretList(input.secret);
  return `${input.prefix ?? ''}${hmacDigest(input.algorithm, input.encoding, input.secret, input.body)}`;
}

export function verifyHmac(input: HmacVerifyInput): VerifyResult {
  assertScheme(input);
  const secrets = secretList(input.secret);
  const body = bodyBytes(input.body);
  const value = normalizeHeaders(input.headers).get(input.header.toLowerCase());
  if (value === undefined || value.trim() === '') {
    return verifyFailure('signature_missing', `Missing signature header ${input.header}.`);
  }
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) return verifyFailure('signature_invalid', 'The signature header is too long.');

  const prefix = input.prefix ?? '';
  // Repeated header lines arrive joined with ", " (node); neither hex nor base64 contains a comma, so
  // each line is a candidate of its own.
  const candidates = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(prefix))
    .map((part) => part.slice(prefix.length))
    // Hex is case-insensitive (some senders use upper case); base64 is not.
    .map((digest) => (input.encoding === 'hex' ? digest.toLowerCase() : digest));
  if (candidates.length === 0) {
    return verifyFailure('signature_invalid', `The ${input.header} value does not start with "${prefix}".`);
  }
  const expected = secrets.map((secret) => hmacDigest(input.algorithm, input.encoding, secret, body));
  const matched = candidates.some((candidate) => expected.some((digest) => safeEqual(candidate, digest)));
  return matched
    ? { ok: true }
    : verifyFailure('signature_invalid', 'No signature matches: wrong secret, or the body was altered.');
}
