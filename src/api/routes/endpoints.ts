// Endpoints: create, list, get, update, delete, secret reveal and rotation, test, recover, stats.

import { recordStandaloneAudit } from '../audit-routes.js';
import { noteAuditChanges } from '../../core/audit.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Attempt, Endpoint, EndpointAuth, EndpointOrdering, PayloadFormat, SigningMode } from '../../core/types.js';
import { decodeSecret, generateSecret } from '../../signature/index.js';
import type { EndpointPatch, NewEvent } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantFilter, tenantForWrite } from '../auth.js';
import { parseTime } from '../cursor.js';
import { iso, renderAttempt, renderEndpoint } from '../render.js';
import { idParams, isoDate, pageQueryProps } from '../schemas/common.js';
import { createEndpointBody, patchEndpointBody } from '../schemas/endpoint.js';
import { checkAuthHeaders, checkCustomHeaders } from '../header-fields.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { dataTextsOf } from '../event-data-text.js';
import { EndpointCreatedModel, EndpointModel, EndpointPageModel, EndpointSecretModel, EndpointStatsModel, EndpointTestResultModel, RecoverResultModel, RotatedSecretModel } from '../../wire/index.js';
import { responses, NoContent } from '../responses.js';
import type { EventFilter } from '../../core/event-filter.js';
import { checkFilter, checkTransform, nextTransform, type TransformInput } from './routing.js';

interface EndpointBody {
  url: string;
  description?: string | null;
  eventTypes?: string[] | null;
  tenant?: string | null;
  auth?: EndpointAuth;
  secret?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number | null;
  maxConcurrency?: number;
  retrySchedule?: number[] | null;
  payloadFormat?: PayloadFormat;
  signing?: SigningMode;
  filter?: EventFilter | null;
  transform?: TransformInput | null;
  ordering?: EndpointOrdering;
  enabled?: boolean;
}

/** ed25519-only endpoints never reveal or rotate their (unused) HMAC secret. */
function refuseUnusedSecret(endpoint: Endpoint): void {
  if (endpoint.signing === 'ed25519') {
    throw new HookdError('hmac_secret_unused', `Endpoint ${endpoint.id} signs with ed25519 only; verify with the key set /.well-known/webhooks/jwks.json.`);
  }
}


async function vetUrl(ctx: ApiContext, url: string): Promise<void> {
  const verdict = await ctx.vetUrl(url);
  if (!verdict.ok) {
    const code = verdict.code === 'blocked_address' ? 'blocked_address' : 'invalid_url';
    throw new HookdError(code, verdict.message, { errors: [{ path: '/body/url', message: verdict.message }] });
  }
}

/** A broker connects with basic (user, password), bearer (token) or mtls; header and OAuth2 auth have no broker meaning. */
function checkBrokerAuth(url: string, auth: EndpointAuth | undefined): void {
  if (/^https?:/i.test(url) || auth === undefined) return;
  if (auth.type === 'header' || auth.type === 'oauth2') {
    const message = `A broker URL takes basic (username and password), bearer (token) or mtls auth, not ${auth.type}.`;
    throw new HookdError('validation_failed', message, { errors: [{ path: '/body/auth/type', message }] });
  }
}

function checkSecret(secret: string): void {
  try {
    const bytes = decodeSecret(secret);
    if (bytes.length < 24 || bytes.length > 64) throw new Error('length');
  } catch {
    throw new HookdError('validation_failed', 'The secret must be whsec_ followed by base64 of 24 to 64 bytes.', { errors: [{ path: '/body/secret', message: 'must be whsec_ + base64 of 24-64 bytes' }] });
  }
}

async function loadEndpoint(ctx: ApiContext, request: FastifyRequest): Promise<Endpoint> {
  const { id } = request.params as { id: string };
  const endpoint = await ctx.store.getEndpoint(id, tenantFilter(principalOf(request)));
  if (!endpoint) throw new HookdError('not_found', `No endpoint ${id}.`);
  return endpoint;
}

function endpointLimitReached(cap: number): HookdError {
  return new HookdError('endpoint_limit_reached', `This tenant already has ${cap} endpoints.`);
}

/** How much longer than the endpoint's timeout a test delivery is held back from the dispatchers. */
const TEST_HOLD_EXTRA_MS = 10_000;

export function registerEndpointRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, config } = ctx;
  const params = idParams();

  app.post('/v1/endpoints', { schema: { response: responses({ 201: EndpointCreatedModel }), tags: ['endpoints'], summary: 'Create an endpoint', body: createEndpointBody } }, async (request, reply) => {
    const body = request.body as EndpointBody;
    const tenant = tenantForWrite(principalOf(request), body.tenant);
    checkAuthHeaders(body.auth);
    const headers = checkCustomHeaders(body.headers) ?? {};
    await vetUrl(ctx, body.url);
    checkBrokerAuth(body.url, body.auth);
    if (body.secret) checkSecret(body.secret);
    if (body.filter) checkFilter(body.filter, '/body/filter');
    if (body.transform) await checkTransform(ctx, body.transform);
    // Refused early, before a signing key is made for the tenant; the insert below is what holds
    // the cap when creates race (the store counts and inserts in one step).
    if ((await store.countEndpoints(tenant)) >= config.maxEndpointsPerTenant) throw endpointLimitReached(config.maxEndpointsPerTenant);
    const now = ctx.now();
    const endpoint: Endpoint = {
      id: newId('endpoint'),
      tenant,
      url: body.url,
      description: body.description ?? null,
      eventTypes: body.eventTypes ?? null,
      auth: body.auth ?? { type: 'none' },
      secrets: [{ secret: body.secret ?? generateSecret(), expiresAt: null }],
      headers,
      timeoutMs: body.timeoutMs ?? config.defaultTimeoutMs,
      rateLimitPerSecond: body.rateLimitPerSecond ?? null,
      maxConcurrency: body.maxConcurrency ?? config.defaultMaxConcurrency,
      retrySchedule: body.retrySchedule ?? null,
      payloadFormat: body.payloadFormat ?? 'envelope',
      signing: body.signing ?? 'hmac',
      ...(body.filter ? { filter: body.filter } : {}),
      ...(body.transform ? nextTransform(null, [], body.transform, now) : {}),
      ordering: { onExhausted: body.ordering?.onExhausted ?? 'block' },
      enabled: body.enabled ?? true,
      disabledReason: body.enabled === false ? 'manual' : null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    // The key exists (and is in the key set) before the first delivery needs it.
    if (endpoint.signing !== 'hmac') await ctx.signingKeys.ensure(tenant);
    if (!(await store.insertEndpoint(endpoint, config.maxEndpointsPerTenant))) throw endpointLimitReached(config.maxEndpointsPerTenant);
    const reveal = endpoint.signing === 'ed25519' ? {} : { secret: endpoint.secrets[0]!.secret };
    return reply.code(201).send({ ...renderEndpoint(endpoint), ...reveal });
  });

  app.get('/v1/endpoints', { schema: { response: responses({ 200: EndpointPageModel }), tags: ['endpoints'], summary: 'List endpoints', querystring: { type: 'object', additionalProperties: false, properties: pageQueryProps } } }, async (request) => {
    const q = request.query as { limit: number; cursor?: string };
    const page = await store.listEndpoints(tenantFilter(principalOf(request)), { limit: q.limit, cursor: openCursor('endpoints', q.cursor) });
    return { data: page.data.map(renderEndpoint), nextCursor: sealCursor('endpoints', page.nextCursor) };
  });

  app.get('/v1/endpoints/:id', { schema: { response: responses({ 200: EndpointModel }), tags: ['endpoints'], summary: 'Get an endpoint', params } }, async (request) => renderEndpoint(await loadEndpoint(ctx, request)));

  app.patch('/v1/endpoints/:id', { schema: { response: responses({ 200: EndpointModel }), tags: ['endpoints'], summary: 'Update an endpoint (also re-enables a disabled one)', params, body: patchEndpointBody } }, async (request) => {
    const current = await loadEndpoint(ctx, request);
    const body = request.body as Partial<EndpointBody>;
    // The audit record says what each changed field was, not only what was asked.
    noteAuditChanges(renderEndpoint(current), body);
    checkAuthHeaders(body.auth);
    const headers = checkCustomHeaders(body.headers);
    if (body.url !== undefined && body.url !== current.url) await vetUrl(ctx, body.url);
    if (body.filter) checkFilter(body.filter, '/body/filter');
    if (body.transform) await checkTransform(ctx, body.transform);
    checkBrokerAuth(body.url ?? current.url, body.auth ?? current.auth);
    const now = ctx.now();
    const patch: EndpointPatch = { updatedAt: now };
    if (body.url !== undefined) patch.url = body.url;
    if (body.description !== undefined) patch.description = body.description;
    if (body.eventTypes !== undefined) patch.eventTypes = body.eventTypes;
    if (body.auth !== undefined) patch.auth = body.auth;
    if (headers !== undefined) patch.headers = headers;
    if (body.timeoutMs !== undefined) patch.timeoutMs = body.timeoutMs;
    if (body.rateLimitPerSecond !== undefined) patch.rateLimitPerSecond = body.rateLimitPerSecond;
    if (body.maxConcurrency !== undefined) patch.maxConcurrency = body.maxConcurrency;
    if (body.retrySchedule !== undefined) patch.retrySchedule = body.retrySchedule;
    if (body.payloadFormat !== undefined) patch.payloadFormat = body.payloadFormat;
    if (body.filter !== undefined) patch.filter = body.filter;
    // A changed transform gets the next version; the one it replaces goes into the history.
    if (body.transform !== undefined) Object.assign(patch, nextTransform(current.transform ?? null, current.transformHistory ?? [], body.transform, now));
    if (body.ordering !== undefined) patch.ordering = { onExhausted: body.ordering.onExhausted };
    if (body.signing !== undefined) {
      patch.signing = body.signing;
      if (body.signing !== 'hmac') await ctx.signingKeys.ensure(current.tenant);
    }
    const reEnabled = body.enabled === true && !current.enabled;
    if (body.enabled === true) {
      patch.enabled = true;
      patch.disabledReason = null;
      patch.failingSince = null;
    } else if (body.enabled === false && current.enabled) {
      patch.enabled = false;
      patch.disabledReason = 'manual';
    }
    // endpoint.recovered is written by the store in the same transaction as the re-enable, and only
    // if this update is the one that re-enabled it (racing PATCHes announce once).
    let recovered: NewEvent | null = null;
    const updated = await store.updateEndpoint(current.id, tenantFilter(principalOf(request)), patch, {
      reEnabled: (before, after) =>
        (recovered = ctx.publisher.prepare({
          type: 'endpoint.recovered',
          data: { endpointId: after.id, url: after.url, previousReason: before.disabledReason, recoveredAt: iso(now) },
          tenant: after.tenant,
          idempotencyKey: null,
        })),
    });
    if (!updated) throw new HookdError('not_found', `No endpoint ${current.id}.`);
    if (body.auth !== undefined) ctx.forgetAuth(current.id);
    if (patch.enabled !== undefined) {
      ctx.bus.emit('endpoint.state', { endpointId: updated.id, tenant: updated.tenant, enabled: updated.enabled, disabledReason: updated.disabledReason });
    }
    if (recovered !== null) {
      const record = await store.getEvent((recovered as NewEvent).id, undefined);
      if (record) ctx.publisher.announce([record]);
    }
    if (reEnabled) ctx.dispatcher.wake();
    return renderEndpoint(updated);
  });

  app.delete('/v1/endpoints/:id', { schema: { response: responses({ 204: NoContent }), tags: ['endpoints'], summary: 'Delete an endpoint (cancels its pending deliveries)', params } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await store.deleteEndpoint(id, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No endpoint ${id}.`);
    ctx.forgetAuth(id);
    return reply.code(204).send();
  });

  app.get('/v1/endpoints/:id/secret', { schema: { response: responses({ 200: EndpointSecretModel }), tags: ['endpoints'], summary: 'Reveal the signing secret (and older ones still in their grace period)', params } }, async (request) => {
    const endpoint = await loadEndpoint(ctx, request);
    refuseUnusedSecret(endpoint);
    // The reveal's audit record (REVEAL_ROUTES) is written before the secret is answered: a record
    // that cannot be written fails the request instead of revealing unrecorded.
    await recordStandaloneAudit(ctx.store);
    const [current, ...previous] = endpoint.secrets;
    return { secret: current!.secret, previous: previous.map((s) => ({ secret: s.secret, expiresAt: iso(s.expiresAt) })) };
  });

  app.post(
    '/v1/endpoints/:id/rotate-secret',
    {
      schema: {
        response: responses({ 200: RotatedSecretModel }),
        tags: ['endpoints'],
        summary: 'Rotate the signing secret; the old one keeps signing during the grace period',
        params,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { secret: createEndpointBody.properties.secret, graceSeconds: { type: 'integer', minimum: 0, maximum: 2592000 } } },
      },
    },
    async (request) => {
      const endpoint = await loadEndpoint(ctx, request);
      refuseUnusedSecret(endpoint);
      const body = (request.body ?? {}) as { secret?: string; graceSeconds?: number };
      if (body.secret) checkSecret(body.secret);
      const now = ctx.now();
      const grace = (body.graceSeconds ?? config.rotationGraceSeconds) * 1000;
      const previous = endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => ({ secret: s.secret, expiresAt: s.expiresAt === null ? now + grace : Math.min(s.expiresAt, now + grace) }));
      const secret = body.secret ?? generateSecret();
      const secrets = [{ secret, expiresAt: null }, ...previous.filter((s) => s.expiresAt > now)].slice(0, 5);
      const updated = await store.updateEndpoint(endpoint.id, tenantFilter(principalOf(request)), { secrets, updatedAt: now });
      if (!updated) throw new HookdError('not_found', `No endpoint ${endpoint.id}.`);
      return { secret, previousSecretsExpireAt: iso(grace > 0 ? now + grace : null) };
    },
  );

  app.post(
    '/v1/endpoints/:id/test',
    {
      schema: {
        response: responses({ 200: EndpointTestResultModel }),
        tags: ['endpoints'],
        summary: 'Send a test event now and return the attempt',
        params,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { type: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' }, data: {} } },
      },
    },
    async (request) => {
      const endpoint = await loadEndpoint(ctx, request);
      if (!endpoint.enabled) throw new HookdError('endpoint_disabled', `Endpoint ${endpoint.id} is disabled (${endpoint.disabledReason}); enable it first.`);
      const body = (request.body ?? {}) as { type?: string; data?: unknown };
      const type = body.type ?? 'hookd.test';
      let data = body.data;
      const payload = data === undefined ? undefined : dataTextsOf(request, ['data'])[0];
      if (data === undefined) {
        const catalogued = await store.getEventType(type);
        data = catalogued?.example ?? { message: 'This is a test event from hookd.', endpointId: endpoint.id };
      }
      // The delivery is held back from the dispatchers (holdMs) and claimed here by the id the publish
      // returns: this request sends it, once. If this process died before sending, a dispatcher would
      // send it when the hold ends.
      const holdMs = endpoint.timeoutMs + TEST_HOLD_EXTRA_MS;
      const result = await ctx.publisher.publish({ type, data, payload, tenant: endpoint.tenant, idempotencyKey: null, onlyEndpointId: endpoint.id, holdMs });
      const deliveryId = result.kind === 'created' ? result.deliveryIds[0] : undefined;
      if (deliveryId === undefined) throw new HookdError('endpoint_disabled', `Endpoint ${endpoint.id} took no test delivery (it was disabled meanwhile); enable it first.`);
      const attempt = (await ctx.dispatcher.deliverNow(deliveryId)) ?? (await waitForFirstAttempt(ctx, deliveryId, holdMs + endpoint.timeoutMs));
      return { eventId: result.event.id, deliveryId, attempt: attempt ? renderAttempt(attempt) : null };
    },
  );

  app.post(
    '/v1/endpoints/:id/recover',
    {
      schema: {
        response: responses({ 200: RecoverResultModel }),
        tags: ['endpoints'],
        summary: "Re-queue the endpoint's failed (and cancelled) deliveries created in a window",
        params,
        body: { type: 'object', additionalProperties: false, required: ['since'], properties: { since: isoDate, until: isoDate } },
      },
    },
    async (request) => {
      const endpoint = await loadEndpoint(ctx, request);
      const body = request.body as { since: string; until?: string };
      const now = ctx.now();
      const since = parseTime(body.since, 'since')!;
      const until = parseTime(body.until, 'until') ?? now + 1;
      if (until <= since) throw new HookdError('validation_failed', 'until must be after since.', { errors: [{ path: '/body/until', message: 'must be after since' }] });
      const recovered = await store.recoverDeliveries(endpoint.id, since, until, now);
      if (recovered > 0) ctx.dispatcher.wake();
      return { recovered, endpointEnabled: endpoint.enabled };
    },
  );

  app.get(
    '/v1/endpoints/:id/stats',
    { schema: { response: responses({ 200: EndpointStatsModel }), tags: ['endpoints'], summary: 'Success and failure counts and latency percentiles over a window (default 24 h)', params, querystring: { type: 'object', additionalProperties: false, properties: { since: isoDate, until: isoDate } } } },
    async (request) => {
      const endpoint = await loadEndpoint(ctx, request);
      const q = request.query as { since?: string; until?: string };
      const until = parseTime(q.until, 'until') ?? ctx.now() + 1;
      const since = parseTime(q.since, 'since') ?? until - 86_400_000;
      const stats = await store.endpointStats(endpoint.id, since, until);
      const total = stats.succeeded + stats.failed;
      return { endpointId: endpoint.id, since: iso(since), until: iso(until), ...stats, successRate: total === 0 ? null : stats.succeeded / total };
    },
  );
}

async function waitForFirstAttempt(ctx: ApiContext, deliveryId: string, timeoutMs: number): Promise<Attempt | null> {
  const deadline = ctx.now() + timeoutMs;
  while (ctx.now() < deadline) {
    const attempts = await ctx.store.listAttempts(deliveryId);
    if (attempts.length > 0) return attempts[0]!;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 200);
      const off = ctx.bus.on('attempt.recorded', (m) => m.deliveryId === deliveryId && done());
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
  return null;
}
