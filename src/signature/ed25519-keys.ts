// Standard Webhooks asymmetric keys: `whsk_` + base64 of the 32-byte ed25519 seed (the secret key)
// and `whpk_` + base64 of the 32-byte raw public key, as the specification's "secret serialization"
// row says and as its reference Go library reads them. Also the JWK form (RFC 8037: kty OKP, crv
// Ed25519, x = base64url of the raw public key) used by the published key set.
//
// node:crypto only. Error messages never include key material (they end up in logs).

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SecretFormatError } from './standard-webhooks-secret.js';

export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';
const RAW_KEY_BYTES = 32;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
// DER prefixes that wrap a raw 32-byte ed25519 seed (PKCS#8) and public key (SPKI), so node can
// import them without a JWK round trip.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A public key as the key set publishes it. `kid` names it in the `webhook-key-id` header. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

function rawBase64(value: string, prefix: string, what: string): Buffer {
  if (typeof value !== 'string') throw new SecretFormatError(`The ${what} must be a string.`);
  const encoded = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  const padded = encoded.includes('=');
  if (!BASE64_PATTERN.test(encoded) || (padded ? encoded.length % 4 !== 0 : encoded.length % 4 === 1)) {
    throw new SecretFormatError(`The ${what} is not valid base64 after the "${prefix}" prefix.`);
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== RAW_KEY_BYTES) throw new SecretFormatError(`The ${what} must hold ${RAW_KEY_BYTES} bytes, got ${bytes.length}.`);
  return bytes;
}

/** A fresh ed25519 key pair from the CSPRNG, serialised as `whsk_...` / `whpk_...`. */
export function generateSigningKeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { secretKey: SIGNING_KEY_PREFIX + seed.toString('base64'), publicKey: PUBLIC_KEY_PREFIX + raw.toString('base64') };
}

/** The private KeyObject inside `whsk_...` (the prefix is optional, as in the reference library). */
export function decodeSigningKey(secretKey: string): KeyObject {
  const seed = rawBase64(secretKey, SIGNING_KEY_PREFIX, 'signing key (whsk_)');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The public KeyObject inside `whpk_...` (prefix optional). */
export function decodePublicKey(publicKey: string): KeyObject {
  const raw = rawBase64(publicKey, PUBLIC_KEY_PREFIX, 'public key (whpk_)');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** `whpk_...` of a KeyObject (public or private). */
export function encodePublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return PUBLIC_KEY_PREFIX + pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64');
}

/** `whpk_...` for a `whsk_...`. */
export function publicKeyOf(secretKey: string): string {
  return encodePublicKey(decodeSigningKey(secretKey));
}

/** The JWK of a `whpk_...` key, named `kid`. */
export function publicKeyToJwk(publicKey: string, kid: string): Ed25519Jwk {
  const raw = rawBase64(publicKey, PUBLIC_KEY_PREFIX, 'public key (whpk_)');
  return { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url'), kid, use: 'sig', alg: 'EdDSA' };
}

/**
 * The `whpk_...` key of a JWK, or null when it is not an ed25519 signing key (other key types in a
 * set are skipped, not errors, so a sender can publish more than we understand).
 */
export function jwkToPublicKey(jwk: unknown): { kid: string | null; publicKey: string } | null {
  if (jwk === null || typeof jwk !== 'object') return null;
  const j = jwk as Record<string, unknown>;
  if (j.kty !== 'OKP' || j.crv !== 'Ed25519' || typeof j.x !== 'string' || !BASE64URL_PATTERN.test(j.x)) return null;
  if (j.use !== undefined && j.use !== 'sig') return null;
  if (j.d !== undefined) return null; // a private JWK in a public set is a sender bug: never use it
  const raw = Buffer.from(j.x, 'base64url');
  if (raw.length !== RAW_KEY_BYTES) return null;
  const kid = typeof j.kid === 'string' && j.kid.length > 0 && j.kid.length <= 256 ? j.kid : null;
  return { kid, publicKey: PUBLIC_KEY_PREFIX + raw.toString('base64') };
}
