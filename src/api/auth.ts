// Authentication of /v1 routes: `Authorization: Bearer <api key>`. Keys are looked up by hash; a
// short per-process cache keeps the hot publish path off the database, and revocation through this
// process clears it at once (other processes see a revocation within KEY_CACHE_MS).

import type { FastifyRequest } from 'fastify';
import { HookdError } from '../core/errors.js';
import type { ApiKey, Principal } from '../core/types.js';
import type { Store, TenantFilter } from '../store/store.js';
import { hashApiKey, sameHash } from './api-keys.js';
import { portalPrincipal } from '../security/portal-token.js';

/** Where a portal link is exchanged for a session (src/dashboard/portal-session-route.ts). */
export const PORTAL_SESSION_ROUTE = '/v1/portal/session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const KEY_CACHE_MS = 2000;

export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** Forget cached keys (after a revocation) and tell open streams to check their key again. */
  invalidate(): void;
  /** Called after every invalidate(); returns the unsubscribe function. */
  onInvalidate(listener: () => void): () => void;
}

export function createAuthenticator(store: Store, adminKeyHash: string | null, now: () => number, portalKey?: Buffer): Authenticator {
  const cache = new Map<string, { key: ApiKey | null; at: number }>();
  const invalidated = new Set<() => void>();
  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (!header) throw new HookdError('unauthorized', 'Missing API key: send `Authorization: Bearer <api key>`.');
      const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
      if (!match) throw new HookdError('unauthorized', 'The Authorization header must be `Bearer <api key>`.');
      // Tenant-portal tokens (signed, short-lived) act as a tenant key of their tenant, never admin.
      if (portalKey) {
        // A single-use link authenticates only its own exchange (decided on the matched route).
        const exchanging = request.method === 'POST' && request.routeOptions.url === PORTAL_SESSION_ROUTE;
        const portal = portalPrincipal(match[1]!, portalKey, now(), exchanging);
        if (portal) {
          // Revocation is the one piece of server-side state a link has: one indexed lookup.
          if (portal.portalLinkId && (await store.isPortalLinkRevoked(portal.portalLinkId))) throw new HookdError('unauthorized', 'This portal link has been revoked; ask for a new one.');
          return portal;
        }
      }
      const hash = hashApiKey(match[1]!);
      if (adminKeyHash && sameHash(hash, adminKeyHash)) return { keyId: 'key_env_admin', role: 'admin', tenant: null };
      const t = now();
      let entry = cache.get(hash);
      if (!entry || t - entry.at > KEY_CACHE_MS) {
        entry = { key: await store.findApiKeyByHash(hash), at: t };
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, entry);
      }
      if (!entry.key) throw new HookdError('unauthorized', 'Unknown or revoked API key.');
      return { keyId: entry.key.id, ...(entry.key.name ? { keyName: entry.key.name } : {}), role: entry.key.role, tenant: entry.key.tenant };
    },
    invalidate() {
      cache.clear();
      for (const listener of [...invalidated]) listener();
    },
    onInvalidate(listener) {
      invalidated.add(listener);
      return () => invalidated.delete(listener);
    },
  };
}

/**
 * Every route registered under /v1/ needs an API key; the others (health, docs, dashboard, ingress)
 * do not. Decided on the route the router matched, never on the raw URL (`/%761/...` and the absolute
 * form reach /v1 handlers too); a route without a pattern fails closed. Anything else that acts on
 * "API routes" (the read-only portal check) asks this too.
 */
export function requiresApiKey(request: FastifyRequest): boolean {
  if (request.is404) return false;
  const pattern = request.routeOptions.url;
  return pattern === undefined || pattern.startsWith('/v1/') || pattern === '/v1';
}

/**
 * The caller of a route that needs an API key. Authentication runs in the app's onRequest hook for
 * every route whose registered path is under /v1/ (server.ts); this is the second lock: a handler
 * that somehow runs without a principal answers 401 instead of failing on a null.
 */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal) throw new HookdError('unauthorized', 'Missing API key: send `Authorization: Bearer <api key>`.');
  return principal;
}

/** The tenant filter for store calls: admins see everything, tenant keys only their tenant. */
export function tenantFilter(principal: Principal): TenantFilter {
  return principal.role === 'admin' ? undefined : principal.tenant;
}

export function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new HookdError('forbidden', 'This route needs an admin API key.');
}

/**
 * The tenant a new object belongs to: a tenant key always writes into its own tenant (a different
 * tenant in the body is refused, not silently rewritten); an admin may name any tenant.
 */
export function tenantForWrite(principal: Principal, requested: string | null | undefined, path = '/body/tenant'): string | null {
  if (principal.role === 'admin') return requested ?? null;
  if (requested !== undefined && requested !== null && requested !== principal.tenant) {
    throw new HookdError('forbidden', 'A tenant API key can only act within its own tenant.', { errors: [{ path, message: 'must be your own tenant' }] });
  }
  return principal.tenant;
}
