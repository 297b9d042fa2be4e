// Checks an ingress request against its source's `verify` config, over the raw body bytes, before
// anything parses them. Signature schemes dispatch to hookd/signature; credential schemes (api-key,
// bearer, basic) compare in constant time.
//
// Hazards:
// - A verifier throwing on hostile input would turn a 401 into a 500: the signature functions return
//   failures as data, and the credential checks below never throw.
// - `none` accepts everything on purpose (an operator's explicit choice, e.g. behind an allowlist);
//   there is no "no secret configured, so accept" path for the other schemes: the source schema
//   requires a non-empty secret, and the signature functions throw for an empty one.
// - Basic compares the username and the password both, always, so the time taken does not tell which
//   of the two was wrong.

import type { VerifyConfig } from '../core/inbound-types.js';
import { safeEqual, verifyGithub, verifyHmac, verifyShopify, verifyStandardWebhook, verifyStandardWebhookV1a, verifyStripe, type VerifyFailure } from '../signature/index.js';

export type VerifyCode = 'signature_invalid' | 'timestamp_out_of_tolerance' | 'credentials_invalid';

export type RequestVerdict = { ok: true } | { ok: false; code: VerifyCode; reason: string };

export interface VerifyRequestInput {
  body: Uint8Array;
  /** node's IncomingHttpHeaders (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Epoch milliseconds. */
  now: number;
}

function fromSignature(result: { ok: true } | VerifyFailure): RequestVerdict {
  if (result.ok) return { ok: true };
  // Missing and malformed signatures or timestamps are all "the signature does not hold"; only a
  // genuine signature over a stale or future timestamp gets its own code (actionable: clock skew).
  return { ok: false, code: result.code === 'timestamp_out_of_tolerance' ? 'timestamp_out_of_tolerance' : 'signature_invalid', reason: result.message };
}

function headerValue(headers: VerifyRequestInput['headers'], name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw.join(', ') : raw;
}

const denied = (reason: string): RequestVerdict => ({ ok: false, code: 'credentials_invalid', reason });

function checkApiKey(config: Extract<VerifyConfig, { scheme: 'api-key' }>, input: VerifyRequestInput): RequestVerdict {
  const value = headerValue(input.headers, config.header);
  if (value === undefined) return denied(`Missing the ${config.header} header.`);
  return safeEqual(value, config.value) ? { ok: true } : denied(`The ${config.header} value is wrong.`);
}

function authorization(input: VerifyRequestInput, scheme: 'bearer' | 'basic'): string | null {
  const value = headerValue(input.headers, 'authorization');
  if (value === undefined) return null;
  const match = /^(\S+) +(\S+) *$/.exec(value);
  if (!match || match[1]!.toLowerCase() !== scheme) return null;
  return match[2]!;
}

function checkBearer(config: Extract<VerifyConfig, { scheme: 'bearer' }>, input: VerifyRequestInput): RequestVerdict {
  const token = authorization(input, 'bearer');
  if (token === null) return denied('Missing `Authorization: Bearer <token>`.');
  return safeEqual(token, config.token) ? { ok: true } : denied('The bearer token is wrong.');
}

function checkBasic(config: Extract<VerifyConfig, { scheme: 'basic' }>, input: VerifyRequestInput): RequestVerdict {
  const encoded = authorization(input, 'basic');
  if (encoded === null || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return denied('Missing `Authorization: Basic <base64 user:password>`.');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return denied('The basic credentials have no ":" between user and password.');
  const userOk = safeEqual(decoded.slice(0, colon), config.username);
  const passwordOk = safeEqual(decoded.slice(colon + 1), config.password);
  return userOk && passwordOk ? { ok: true } : denied('The basic credentials are wrong.');
}

/** v1 with the secret, else v1a with the public keys (when configured): either signature is enough. */
function checkStandardWebhooks(config: Extract<VerifyConfig, { scheme: 'standard-webhooks' }>, input: VerifyRequestInput): RequestVerdict {
  const { body, headers, now } = input;
  const window = config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {};
  const v1 = verifyStandardWebhook({ body, headers, secrets: config.secret, now, ...window });
  if (v1.ok || !config.publicKeys || config.publicKeys.length === 0) return fromSignature(v1);
  const v1a = verifyStandardWebhookV1a({ body, headers, publicKeys: config.publicKeys, now, ...window });
  if (v1a.ok) return { ok: true };
  // The more telling of the two: a genuine but late message, or the scheme the sender actually used.
  if (v1.code === 'timestamp_out_of_tolerance') return fromSignature(v1);
  return fromSignature(/^No v1a signature/.test(v1a.message) ? v1 : v1a);
}

export function verifyRequest(config: VerifyConfig, input: VerifyRequestInput): RequestVerdict {
  const { body, headers, now } = input;
  switch (config.scheme) {
    case 'standard-webhooks':
      return checkStandardWebhooks(config, input);
    case 'stripe':
      return fromSignature(verifyStripe({ body, headers, secret: config.secret, now, ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}) }));
    case 'github':
      return fromSignature(verifyGithub({ body, headers, secret: config.secret }));
    case 'shopify':
      return fromSignature(verifyShopify({ body, headers, secret: config.secret }));
    case 'hmac':
      return fromSignature(verifyHmac({ body, headers, secret: config.secret, header: config.header, algorithm: config.algorithm, encoding: config.encoding, prefix: config.prefix }));
    case 'api-key':
      return checkApiKey(config, input);
    case 'bearer':
      return checkBearer(config, input);
    case 'basic':
      return checkBasic(config, input);
    case 'none':
      return { ok: true };
  }
}
