// Small read-only routes the dashboard needs besides the resource API: who am I, the attempt-code
// explanations, the overview numbers and a newest-first event log.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ATTEMPT_CODES } from '../core/attempt-codes.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type Principal } from '../core/types.js';
import { HookdError } from '../core/errors.js';
import type { ApiContext } from '../api/context.js';
import { principalOf, tenantFilter } from '../api/auth.js';
import { encodeSeqCursor, parseTime } from '../api/cursor.js';
import { iso, renderEvent } from '../api/render.js';
import { isoDate } from '../api/schemas/common.js';
import type { TenantFilter } from '../store/store.js';
import { computeOverview } from './overview.js';
import { listRecentEvents } from './recent-events.js';
import type { PortalClaims } from '../security/portal-token.js';
import { parseTypeFilter } from '../core/event-type-filter.js';
import { CodesModel, OverviewModel, RecentEventsModel, WhoamiModel } from '../wire/index.js';
import { responses } from '../api/responses.js';
import { MATCH_MAX_LENGTH, parseEventMatch } from '../core/event-match.js';


/** An admin may narrow to one tenant (`tenant=` with `-` meaning "no tenant"); a tenant key never widens. */
function narrowTenant(principal: Principal, requested: string | undefined): TenantFilter {
  if (requested === undefined || requested === '') return tenantFilter(principal);
  const wanted = requested === '-' ? null : requested;
  if (principal.role !== 'admin' && wanted !== principal.tenant) throw new HookdError('forbidden', 'A tenant API key can only read its own tenant.');
  return wanted;
}

export function registerMetaRoutes(app: FastifyInstance, ctx: ApiContext, portalClaimsOf: (request: FastifyRequest) => PortalClaims | null = () => null): void {
  app.get('/v1/meta/whoami', { schema: { response: responses({ 200: WhoamiModel }), tags: ['dashboard'], summary: 'The role and tenant of the calling key' } }, async (request) => {
    const p = principalOf(request);
    // Features other modules may or may not have registered: the dashboard hides what is missing
    // instead of calling it and logging 404s.
    const features = {
      sources: app.hasRoute({ method: 'GET', url: '/v1/sources' }),
      doctor: app.hasRoute({ method: 'POST', url: '/v1/endpoints/:id/diagnose' }),
    };
    // What the server fills in when a create request leaves a field out, so forms show the real value.
    const defaults = { timeoutMs: ctx.config.defaultTimeoutMs, maxConcurrency: ctx.config.defaultMaxConcurrency };
    const claims = portalClaimsOf(request);
    // A portal's look and mode travel in its signed token; the page applies them.
    const portalOptions = claims ? { readOnly: claims.readOnly, capabilities: claims.capabilities, theme: claims.theme, expiresAt: iso(claims.expiresAt) } : null;
    return { role: p.role, tenant: p.tenant, portal: p.keyId.startsWith('portal:'), version: ctx.version, features, defaults, portalOptions };
  });

  app.get('/v1/meta/codes', { schema: { response: responses({ 200: CodesModel }), tags: ['dashboard'], summary: 'Attempt and doctor codes with their explanation and fix' } }, async () => ATTEMPT_CODES);

  app.get(
    '/v1/meta/overview',
    {
      schema: {
        response: responses({ 200: OverviewModel }),
        tags: ['dashboard'],
        summary: 'Dashboard overview: deliveries over time, success rate, latency, queue depth, endpoints by failures',
        querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 720, default: 24 }, tenant: { type: 'string', maxLength: 128 } } },
      },
    },
    async (request) => {
      const q = request.query as { hours: number; tenant?: string };
      return computeOverview(ctx.store, narrowTenant(principalOf(request), q.tenant), q.hours, ctx.now());
    },
  );

  app.get(
    '/v1/meta/recent-events',
    {
      schema: {
        response: responses({ 200: RecentEventsModel }),
        tags: ['dashboard'],
        summary: 'Events newest first, with their delivery summary (the pull feed is oldest first)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            before: { type: 'integer', minimum: 1 },
            type: { type: 'string', maxLength: 1024, description: 'Types, prefixes (chat.*) and exclusions (-chat.ended), separated by commas or spaces' },
            operational: { type: 'string', enum: ['show', 'hide'], default: 'show', description: "hide leaves out hookd's operational events (endpoint.disabled, endpoint.recovered, delivery.exhausted)" },
            tenant: { type: 'string', maxLength: 128 },
            status: { type: 'string', enum: [...DELIVERY_STATUSES, 'none'] },
            since: isoDate,
            until: isoDate,
            match: { type: 'string', minLength: 2, maxLength: MATCH_MAX_LENGTH, description: 'A JSON object the event data must contain (as on GET /v1/events)' },
            id: { type: 'string', minLength: 1, maxLength: 128 },
            idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { limit: number; before?: number; type?: string; operational: 'show' | 'hide'; tenant?: string; status?: DeliveryStatus | 'none'; since?: string; until?: string; match?: string; id?: string; idempotencyKey?: string };
      const types = parseTypeFilter(q.type ?? '');
      if (!types.ok) throw new HookdError('validation_failed', types.message, { errors: [{ path: '/querystring/type', message: types.message }] });
      const page = await listRecentEvents(ctx.store, {
        tenant: narrowTenant(principalOf(request), q.tenant),
        types: types.filter,
        hideOperational: q.operational === 'hide',
        status: q.status,
        since: parseTime(q.since, 'since'),
        until: parseTime(q.until, 'until'),
        beforeSeq: q.before,
        limit: q.limit,
        match: q.match === undefined ? undefined : parseEventMatch(q.match),
        id: q.id,
        idempotencyKey: q.idempotencyKey,
      });
      // Event data goes out exactly as published (RawJson, spliced in by the serializer compiler of
      // api/responses.ts), as on the API's own event routes.
      return {
        data: page.data.map((r) => ({ ...renderEvent(r.event), seq: r.event.seq, deliveries: r.deliveries })),
        before: page.beforeSeq,
        headSeq: page.headSeq,
        // Where the pull feed (GET /v1/events?after=) stands now: the "pull vs push" view starts here.
        headCursor: encodeSeqCursor(page.headSeq),
        at: iso(ctx.now()),
      };
    },
  );
}
