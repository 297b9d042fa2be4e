// Tenant portal tokens: a short-lived, signed statement "this bearer may act as tenant T until E".
// The dashboard puts one in a link (`/portal?token=...`) that a sender embeds in an iframe for its
// customer, and the browser then calls the API with `Authorization: Bearer portal_<token>`.
//
// Format: `v1.<base64url(JSON {t: tenant, e: expiry unix s, j?: link id, r?: read-only, c?: capabilities, th?: theme, u?: single-use link, s?: session})>.<base64url(HMAC-SHA256(key, "v1.<payload>"))>`.
//
// Three kinds of token share the format. A single-use link (`u: 1`, what POST /v1/portal-links
// mints by default) authenticates nothing but its own exchange (POST /v1/portal/session), which is
// recorded in the store so it succeeds once; the exchange answers a session token (`s: 1`) with the
// same tenant, capabilities, theme, link id and expiry, and the session is what calls the API. A
// reusable link (neither flag: every link minted before single-use links existed, and `singleUse:
// false`) is a bearer token until it expires, as it always was.
// The look (brand name, logo, colours) and the capabilities ride in the signed payload, so a sender can
// theme each customer's portal without any server-side state, and nobody can flip them in the URL.
// Stateless on purpose: every process that derives the same key (from HOOKD_SECRET_KEY, which a
// multi-process deployment must share anyway to decrypt endpoint secrets) accepts the token, and no
// table has to be cleaned up. The server-side state is small and keyed by link id: revocations
// (portal_link_revocations) and the uses of single-use links (portal_link_uses), each kept only until
// the link would have expired anyway, which is why the lifetime is capped (MAX_PORTAL_TTL_SECONDS).

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isId, newId } from '../core/ids.js';
import { HookdError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { grantedCapabilities, isPortalCapability, PORTAL_CAPABILITIES, type PortalCapability } from '../core/portal-capabilities.js';

export const PORTAL_TOKEN_PREFIX = 'portal_';
export const MAX_PORTAL_TTL_SECONDS = 86_400;
export const MIN_PORTAL_TTL_SECONDS = 60;

const VERSION = 'v1';
const MAX_PAYLOAD_CHARS = 1024;
const PAYLOAD_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_PAYLOAD_CHARS}}$`);
const TENANT_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** How the portal looks: checked here (and in the request schema) so the page can apply it as is. */
export interface PortalTheme {
  /** Shown instead of "hookd" in the top bar. */
  brandName?: string | undefined;
  /** An https: URL (or a same-origin path) of a logo image. */
  logoUrl?: string | undefined;
  /** #rgb or #rrggbb. */
  primaryColor?: string | undefined;
}

export interface PortalOptions {
  /** The holder may look but not change anything (the API refuses every non-GET request). */
  readOnly?: boolean | undefined;
  /** What the link may do (src/core/portal-capabilities.ts); readOnly alone is `['view']`. */
  capabilities?: readonly PortalCapability[] | undefined;
  theme?: PortalTheme | undefined;
  /** The link can be exchanged for a session once and used for nothing else (`u: 1`). */
  singleUse?: boolean | undefined;
}

/** What a token is: see the header comment. */
export type PortalTokenKind = 'reusable_link' | 'single_use_link' | 'session';

export interface PortalClaims {
  kind: PortalTokenKind;
  /** The link's id (`pl_...`), by which it is revoked; null for links made before ids existed. */
  id: string | null;
  tenant: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** True when the link grants `view` only. */
  readOnly: boolean;
  capabilities: PortalCapability[];
  theme: PortalTheme | null;
}

/** Printable text without markup characters (control characters are outside the allowed class). */
export const BRAND_NAME_PATTERN = /^[^<>\p{Cc}]{1,64}$/u;
export const COLOR_PATTERN = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
export const LOGO_URL_PATTERN = /^(?:https:\/\/[^\s"'<>()\\]{1,380}|\/[A-Za-z0-9._~/-]{0,380})$/;

/** The theme if every given field is well-formed, else null (a token never carries a bad one). */
function checkTheme(value: unknown): PortalTheme | null | 'bad' {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'bad';
  const { b, l, c, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'bad';
  if (b !== undefined && (typeof b !== 'string' || !BRAND_NAME_PATTERN.test(b))) return 'bad';
  if (l !== undefined && (typeof l !== 'string' || !LOGO_URL_PATTERN.test(l))) return 'bad';
  if (c !== undefined && (typeof c !== 'string' || !COLOR_PATTERN.test(c))) return 'bad';
  const theme: PortalTheme = {};
  if (b !== undefined) theme.brandName = b;
  if (l !== undefined) theme.logoUrl = l;
  if (c !== undefined) theme.primaryColor = c;
  return theme;
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
export function createPortalToken(tenant: string, ttlSeconds: number, key: Buffer, now: number = Date.now(), options: PortalOptions = {}): { token: string; expiresAt: number; id: string } {
  if (!TENANT_PATTERN.test(tenant)) throw new RangeError('tenant must match ^[A-Za-z0-9_.:@-]{1,128}$');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < MIN_PORTAL_TTL_SECONDS || ttlSeconds > MAX_PORTAL_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer from ${MIN_PORTAL_TTL_SECONDS} to ${MAX_PORTAL_TTL_SECONDS}`);
  }
  const expSeconds = Math.floor(now / 1000) + ttlSeconds;
  const id = newId('portalLink');
  const capabilities = grantedCapabilities(options.readOnly, options.capabilities);
  if (options.readOnly && capabilities.length > 1) throw new RangeError('readOnly and capabilities other than view cannot be combined');
  const th = options.theme;
  let theme: PortalTheme | null = null;
  if (th && (th.brandName !== undefined || th.logoUrl !== undefined || th.primaryColor !== undefined)) {
    if (checkTheme({ b: th.brandName, l: th.logoUrl, c: th.primaryColor }) === 'bad') throw new RangeError('theme: brandName, logoUrl (https:) or primaryColor (#rrggbb) is malformed');
    theme = th;
  }
  const token = sign({ kind: options.singleUse ? 'single_use_link' : 'reusable_link', id, tenant, expiresAt: expSeconds * 1000, capabilities, theme }, key);
  return { token, expiresAt: expSeconds * 1000, id };
}

/**
 * The session a link is exchanged for: the link's tenant, capabilities, theme, id (so revoking the
 * link ends it) and expiry (a session never outlives its link).
 */
export function createPortalSession(link: PortalClaims, key: Buffer): { token: string; expiresAt: number } {
  if (link.kind === 'session') throw new RangeError('a session cannot be exchanged for another');
  return { token: sign({ ...link, kind: 'session' }, key), expiresAt: link.expiresAt };
}

function sign(c: Omit<PortalClaims, 'readOnly'>, key: Buffer): string {
  const claims: Record<string, unknown> = { t: c.tenant, e: Math.floor(c.expiresAt / 1000) };
  if (c.id !== null) claims.j = c.id;
  if (c.capabilities.length === 1) claims.r = 1;
  // Tokens without `c` (all made before capabilities existed) grant everything, as they always did.
  else if (c.capabilities.length < PORTAL_CAPABILITIES.length) claims.c = c.capabilities;
  const th = c.theme;
  if (th) claims.th = { b: th.brandName, l: th.logoUrl, c: th.primaryColor };
  if (c.kind === 'single_use_link') claims.u = 1;
  if (c.kind === 'session') claims.s = 1;
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  if (payload.length > MAX_PAYLOAD_CHARS) throw new RangeError('the portal token would be too long: shorten the theme');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/**
 * Check a token (without the `portal_` prefix). The signature is compared in constant time before
 * the payload is parsed, so nothing the caller controls is interpreted until it is known to be ours.
 */
export function verifyPortalToken(token: string, key: Buffer, now: number = Date.now()): PortalVerdict {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !PAYLOAD_PATTERN.test(parts[1]!) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2]!)) {
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
  const { t, e, j, r, c, th, u, s } = (claims ?? {}) as { t?: unknown; e?: unknown; j?: unknown; r?: unknown; c?: unknown; th?: unknown; u?: unknown; s?: unknown };
  // A single-use link needs its id (its use is recorded by id); a token is a link or a session, not both.
  if ((u !== undefined && (u !== 1 || j === undefined)) || (s !== undefined && (s !== 1 || u !== undefined))) return { ok: false, reason: 'malformed' };
  if (j !== undefined && (typeof j !== 'string' || !isId('portalLink', j))) return { ok: false, reason: 'malformed' };
  if (typeof t !== 'string' || !TENANT_PATTERN.test(t) || typeof e !== 'number' || !Number.isInteger(e)) return { ok: false, reason: 'malformed' };
  if (r !== undefined && r !== 1) return { ok: false, reason: 'malformed' };
  if (c !== undefined && (r !== undefined || !Array.isArray(c) || c.length > PORTAL_CAPABILITIES.length || !c.every(isPortalCapability))) return { ok: false, reason: 'malformed' };
  const capabilities = grantedCapabilities(r === 1, c);
  const theme = checkTheme(th);
  if (theme === 'bad') return { ok: false, reason: 'malformed' };
  const expiresAt = e * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  const kind: PortalTokenKind = u === 1 ? 'single_use_link' : s === 1 ? 'session' : 'reusable_link';
  return { ok: true, kind, id: j ?? null, tenant: t, expiresAt, readOnly: capabilities.length === 1, capabilities, theme };
}

/** `portal_<token>` from an Authorization bearer value, or null when it is not a portal token. */
export function portalTokenOfBearer(bearer: string): string | null {
  return bearer.startsWith(PORTAL_TOKEN_PREFIX) ? bearer.slice(PORTAL_TOKEN_PREFIX.length) : null;
}

/**
 * For the API authenticator: the principal a `Bearer portal_<token>` stands for. Returns null when
 * the bearer value is not a portal token (go on with API key lookup); throws `unauthorized` when it
 * is one but invalid or expired, or a single-use link used for anything but its exchange
 * (`exchanging`: the request is POST /v1/portal/session). A portal principal is a tenant
 * principal: it can never act as admin.
 */
export function portalPrincipal(bearer: string, key: Buffer, now: number, exchanging = false): Principal | null {
  const token = portalTokenOfBearer(bearer);
  if (token === null) return null;
  const verdict = verifyPortalToken(token, key, now);
  if (!verdict.ok) throw new HookdError('unauthorized', verdict.reason === 'expired' ? 'The portal link has expired; ask for a new one.' : 'Invalid portal token.');
  if (verdict.kind === 'single_use_link' && !exchanging) {
    throw new HookdError('unauthorized', 'This portal link is single-use: exchange it once for a session (POST /v1/portal/session; the portal page does this itself) and call the API with the session.');
  }
  return { keyId: `portal:${verdict.tenant}`, role: 'tenant', tenant: verdict.tenant, expiresAt: verdict.expiresAt, capabilities: verdict.capabilities, ...(verdict.id ? { portalLinkId: verdict.id } : {}) };
}
