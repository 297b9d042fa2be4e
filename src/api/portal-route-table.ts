// What a tenant-portal session may call: one table from route (method + the registered pattern) to the
// capability it needs. A portal caller is checked against it in the app's onRequest hook (server.ts),
// on the route the router matched, so every spelling of a path meets the same entry. A route that is
// not in the table is refused for portal callers (fail closed): a new route stays out of the portal
// until someone decides which capability it needs. API keys are not affected.
//
// Body-dependent rules (an endpoint change that sets a filter or a transform also needs
// `manage_transforms`) run in a preHandler, once the body is parsed.

import type { FastifyRequest } from 'fastify';
import { HookdError } from '../core/errors.js';
import type { PortalCapability } from '../core/portal-capabilities.js';
import type { Principal } from '../core/types.js';

/** `null`: any portal session may call it (it says who the caller is, or explains codes). */
export const PORTAL_ROUTE_TABLE: Readonly<Record<string, PortalCapability | null>> = {
  'GET /v1/meta/whoami': null,
  'GET /v1/meta/codes': null,
  // A link's exchange for a session (a single-use link can call nothing else).
  'POST /v1/portal/session': null,
  'GET /v1/meta/overview': 'view',
  'GET /v1/meta/recent-events': 'view',
  'GET /v1/events': 'view',
  'GET /v1/events/:id': 'view',
  'GET /v1/events/:id/deliveries': 'view',
  'GET /v1/endpoints': 'view',
  'GET /v1/endpoints/:id': 'view',
  'GET /v1/endpoints/:id/stats': 'view',
  'GET /v1/endpoints/:id/series': 'view',
  'GET /v1/endpoints/:id/ordering/blocked': 'view',
  'GET /v1/endpoints/:id/transform/versions': 'view',
  'GET /v1/deliveries': 'view',
  'GET /v1/deliveries/:id': 'view',
  'GET /v1/bulk-retries/:id': 'view',
  'GET /v1/event-types': 'view',
  'GET /v1/event-types/:name': 'view',
  'GET /v1/sources': 'view',
  'GET /v1/sources/:id': 'view',
  'GET /v1/sources/:id/requests': 'view',
  'GET /v1/sources/:id/requests/:requestId': 'view',
  'GET /v1/stream': 'view',
  'GET /v1/audit': 'view',
  // Checks a payload against a schema: reads, changes nothing.
  'POST /v1/diagnose/payload': 'view',

  'GET /v1/endpoints/:id/secret': 'view_secret',
  'POST /v1/endpoints/:id/rotate-secret': 'manage_secret',

  'POST /v1/endpoints': 'manage_endpoints',
  'PATCH /v1/endpoints/:id': 'manage_endpoints',
  'DELETE /v1/endpoints/:id': 'manage_endpoints',
  'POST /v1/endpoints/:id/test': 'manage_endpoints',
  'POST /v1/endpoints/:id/recover': 'manage_endpoints',
  'POST /v1/endpoints/:id/diagnose': 'manage_endpoints',
  'POST /v1/diagnose': 'manage_endpoints',
  'POST /v1/endpoints/:id/ordering/skip': 'manage_endpoints',
  'POST /v1/endpoints/:id/ordering/release': 'manage_endpoints',

  'POST /v1/deliveries/:id/retry': 'replay',
  'POST /v1/bulk-retries': 'replay',
  'POST /v1/bulk-retries/:id/cancel': 'replay',
  'DELETE /v1/bulk-retries/:id': 'replay',
  'POST /v1/endpoints/:id/ordering/retry': 'replay',
  'POST /v1/sources/:id/requests/:requestId/replay': 'replay',

  'POST /v1/filters/test': 'manage_transforms',
  'POST /v1/endpoints/:id/transform/test': 'manage_transforms',
};

/** Endpoint fields whose change needs `manage_transforms` besides `manage_endpoints`. */
const TRANSFORM_FIELDS = ['filter', 'transform'] as const;
const TRANSFORM_BODY_ROUTES = new Set(['POST /v1/endpoints', 'PATCH /v1/endpoints/:id']);

function routeKey(request: FastifyRequest): string {
  // HEAD is answered by the GET handler: it needs what GET needs.
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  return `${method} ${request.routeOptions.url ?? ''}`;
}

function refuse(principal: Principal, needed: PortalCapability | 'unlisted'): never {
  const granted = principal.capabilities ?? [];
  if (granted.length === 1 && granted[0] === 'view') {
    throw new HookdError('forbidden', 'This portal link is read-only: it can show everything but change nothing.');
  }
  if (needed === 'unlisted') throw new HookdError('forbidden', 'A portal link cannot call this route.');
  throw new HookdError('forbidden', `This portal link does not grant \`${needed}\`.`);
}

/** onRequest: the route's capability. Only for portal callers (a principal with capabilities). */
export function checkPortalRoute(request: FastifyRequest, principal: Principal): void {
  if (principal.capabilities === undefined) return;
  const key = routeKey(request);
  if (!Object.hasOwn(PORTAL_ROUTE_TABLE, key)) refuse(principal, 'unlisted');
  const needed = PORTAL_ROUTE_TABLE[key];
  if (needed !== null && needed !== undefined && !principal.capabilities.includes(needed)) refuse(principal, needed);
}

/** preHandler: what the body adds (setting a filter or transform on an endpoint). */
export function checkPortalBody(request: FastifyRequest, principal: Principal | null): void {
  if (!principal || principal.capabilities === undefined || !TRANSFORM_BODY_ROUTES.has(routeKey(request))) return;
  const body = request.body;
  if (body === null || typeof body !== 'object') return;
  if (TRANSFORM_FIELDS.some((f) => Object.hasOwn(body, f)) && !principal.capabilities.includes('manage_transforms')) refuse(principal, 'manage_transforms');
}
