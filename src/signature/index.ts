// hookd/signature: webhook signing and verification over raw bytes (node:crypto only, no I/O).
// Every verifier returns { ok: true, ... } | { ok: false, code, message } and never throws on
// hostile input; they throw only for caller mistakes (no secret, a parsed body, bad options).

export type { RawBody } from './body.js';
export { safeEqual } from './constant-time.js';
export type { HeaderInput } from './headers.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  type TimestampedVerifySuccess,
  type VerifyFailure,
  type VerifyFailureCode,
  type VerifyResult,
  type VerifySuccess,
} from './verify-result.js';

export {
  decodeSecret,
  generateSecret,
  SECRET_MAX_BYTES,
  SECRET_MIN_BYTES,
  SECRET_PREFIX,
  SecretFormatError,
} from './standard-webhooks-secret.js';
export {
  signatureHeader,
  signStandardWebhook,
  verifyStandardWebhook,
  type StandardWebhookSignInput,
  type StandardWebhookVerifyInput,
  type StandardWebhookVerifyResult,
} from './standard-webhooks.js';

export { signStripe, verifyStripe, STRIPE_SIGNATURE_HEADER, type StripeSignInput, type StripeVerifyInput } from './stripe.js';
export { signGithub, verifyGithub, GITHUB_SIGNATURE_HEADER } from './github.js';
export { signShopify, verifyShopify, SHOPIFY_SIGNATURE_HEADER } from './shopify.js';
export {
  signHmac,
  verifyHmac,
  type HmacAlgorithm,
  type HmacEncoding,
  type HmacScheme,
  type HmacSignInput,
  type HmacVerifyInput,
} from './hmac.js';

// Standard Webhooks v1a (ed25519) and key sets.
export {
  decodePublicKey,
  decodeSigningKey,
  encodePublicKey,
  generateSigningKeyPair,
  jwkToPublicKey,
  publicKeyOf,
  publicKeyToJwk,
  PUBLIC_KEY_PREFIX,
  SIGNING_KEY_PREFIX,
  type Ed25519Jwk,
} from './ed25519-keys.js';
export {
  KEY_ID_HEADER,
  signStandardWebhookV1a,
  verifyStandardWebhookV1a,
  type TrustedKey,
  type V1aSignInput,
  type V1aVerifyInput,
  type V1aVerifyResult,
} from './standard-webhooks-v1a.js';
export {
  cacheMaxAge,
  createKeySetVerifier,
  KEY_SET_MIN_REFETCH_MS,
  keysOfSet,
  type KeySetVerifier,
  type KeySetVerifierOptions,
  type KeySetVerifyInput,
} from './key-set-verifier.js';
