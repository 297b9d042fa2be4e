// Tenant portal tokens: a short-lived, signed statement "this bearer may act as tenant T until E".
// The dashboard puts one in a link (`/portal?token=...`) that a sender embeds in an iframe for its
// customer, and the browser then calls the API with `Authorization: Bearer portal_<token>`.
//
// Format: `v1.<base64url(JSON {t: tenant, e: expiry unix s})>.<base64url(HMAC-SHA256(key, "v1.<payload>"))>`.
// Stateless on purpose: every process that derives the same key (from HOOKD_SECRET_KEY, which a
// multi-process deployment must share anyway to decrypt endpoint secrets) accepts the token, and no
// table has to be cleaned up. The price is that a token cannot be revoked before it expires, which is
// why the lifetime is capped (MAX_PORTAL_TTL_SECONDS).

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { HookdError } from '../core/errors.js';
import type { Principal } from '../core/types.js';

export const PORTAL_TOKEN_PREFIX = 'portal_';
export const MAX_PORTAL_TTL_SECONDS = 86_400;
export const MIN_PORTAL_TTL_SECONDS = 60;

const VERSION = 'v1';
const TENANT_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;

export interface PortalClaims {
  tenant: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type PortalVerdict = ({ ok: true } & PortalClaims) | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/**
 * The signing key for portal tokens, derived from the master secret key (HOOKD_SECRET_KEY or
 * <dataDir>/secret.key) with HKDF, so the encryption-at-rest key is never used directly as a MAC key.
 */
export function derivePortalKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, 'hookd', 'hookd portal token v1', 32));
}

function mac(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/** Create a token for `tenant`, valid `ttlSeconds` from `now` (epoch ms). */
export function createPortalToken(tenant: string, ttlSeconds: number, key: Buffer, now: number = Date.now()): { token: string; expiresAt: number } {
  if (!TENANT_PATTERN.test(tenant)) throw new RangeError('tenant must match ^[A-Za-z0-9_.:@-]{1,128}$');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < MIN_PORTAL_TTL_SECONDS || ttlSeconds > MAX_PORTAL_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer from ${MIN_PORTAL_TTL_SECONDS} to ${MAX_PORTAL_TTL_SECONDS}`);
  }
  const expSeconds = Math.floor(now / 1000) + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ t: tenant, e: expSeconds }), 'utf8').toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return { token: `${signed}.${mac(key, signed).toString('base64url')}`, expiresAt: expSeconds * 1000 };
}

/**
 * Check a token (without the `portal_` prefix). The signature is compared in constant time before
 * the payload is parsed, so nothing the caller controls is interpreted until it is known to be ours.
 */
export function verifyPortalToken(token: string, key: Buffer, now: number = Date.now()): PortalVerdict {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]{1,1024}$/.test(parts[1]!) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2]!)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(key, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { t, e } = (claims ?? {}) as { t?: unknown; e?: unknown };
  if (typeof t !== 'string' || !TENANT_PATTERN.test(t) || typeof e !== 'number' || !Number.isInteger(e)) return { ok: false, reason: 'malformed' };
  const expiresAt = e * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, tenant: t, expiresAt };
}

/** `portal_<token>` from an Authorization bearer value, or null when it is not a portal token. */
export function portalTokenOfBearer(bearer: string): string | null {
  return bearer.startsWith(PORTAL_TOKEN_PREFIX) ? bearer.slice(PORTAL_TOKEN_PREFIX.length) : null;
}

/**
 * For the API authenticator: the principal a `Bearer portal_<token>` stands for. Returns null when
 * the bearer value is not a portal token (go on with API key lookup); throws `unauthorized` when it
 * is one but invalid or expired. A portal principal is a tenant principal: it can never act as admin.
 */
export function portalPrincipal(bearer: string, key: Buffer, now: number): Principal | null {
  const token = portalTokenOfBearer(bearer);
  if (token === null) return null;
  const verdict = verifyPortalToken(token, key, now);
  if (!verdict.ok) throw new HookdError('unauthorized', verdict.reason === 'expired' ? 'The portal link has expired; ask for a new one.' : 'Invalid portal token.');
  return { keyId: `portal:${verdict.tenant}`, role: 'tenant', tenant: verdict.tenant, expiresAt: verdict.expiresAt };
}
