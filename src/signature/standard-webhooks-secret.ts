// Standard Webhooks secrets: `whsec_` + base64 of 24..64 random bytes; the decoded bytes are the HMAC
// key. Error messages never include the secret itself (they end up in logs).

import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Key sizes allowed by the Standard Webhooks specification (hookd generates and accepts these). */
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;

/** Standard base64 with optional padding. URL-safe (`-`, `_`) is refused: it is not what svix emits. */
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export class SecretFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFormatError';
  }
}

/** A new secret from the CSPRNG: `whsec_` + base64 of `bytes` (24..64) random bytes. */
export function generateSecret(bytes = SECRET_MIN_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    throw new RangeError(`A secret must have ${SECRET_MIN_BYTES}..${SECRET_MAX_BYTES} random bytes, got ${bytes}`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key inside a `whsec_...` secret (the prefix is optional, as in the reference libraries).
 * Throws SecretFormatError for empty or non-base64 input. It does not enforce the 24..64-byte size, so
 * receivers can verify senders with other key sizes; check `decodeSecret(s).length` where it matters
 * (creating an endpoint, for example).
 */
export function decodeSecret(secret: string): Buffer {
  if (typeof secret !== 'string') throw new SecretFormatError('The webhook secret must be a string.');
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0) throw new SecretFormatError('The webhook secret is empty.');
  // Buffer.from(..., 'base64') silently skips invalid characters, so a typo would yield a different
  // key and every signature would fail with no hint why. Validate the alphabet and length first.
  const padded = encoded.includes('=');
  if (!BASE64_PATTERN.test(encoded) || (padded ? encoded.length % 4 !== 0 : encoded.length % 4 === 1)) {
    throw new SecretFormatError(
      `The webhook secret is not valid base64 after the "${SECRET_PREFIX}" prefix (expected whsec_ followed by standard base64).`,
    );
  }
  return Buffer.from(encoded, 'base64');
}
