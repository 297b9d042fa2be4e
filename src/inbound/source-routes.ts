// Sources API: create, list, get, update, delete; the request log with filters; replay of a logged
// request. Every route is tenant-scoped: another tenant's source is a 404, and so are its requests.

import { noteAuditChanges } from '../core/audit.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, tenantFilter, tenantForWrite } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import { parseTime } from '../api/cursor.js';
import { renderInboundRequest, renderSource } from '../api/render.js';
import { HookdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ConsumeConfig, EventTypeRule, InboundVerdict, Source } from '../core/inbound-types.js';
import { checkConsume } from './consumers/consumer-registry.js';
import { buildVerifyConfig, checkAllowIps, checkEventTypeRule, checkOrderingKeyRule, type VerifyInput } from './source-config.js';
import { createSourceBody, patchSourceBody, requestListQuery, requestParams, sourceParams } from './source-schema.js';
import { replayRequest } from './replay-request.js';
import { openCursor, sealCursor } from '../api/page-cursor.js';
import { InboundRequestModel, InboundRequestPageModel, ReplayResultModel, SourceModel, SourcePageModel } from '../wire/index.js';
import { responses, NoContent } from '../api/responses.js';

interface SourceBody {
  name: string;
  verify: VerifyInput;
  allowIps?: string[] | null;
  eventType?: EventTypeRule | null;
  orderingKey?: EventTypeRule | null;
  maxBodyBytes?: number | null;
  consume?: ConsumeConfig | null;
  tenant?: string | null;
}


/** `HOOKD_PUBLIC_URL` when set, else the address this request reached. */
export function ingressBase(ctx: ApiContext, request: FastifyRequest): string {
  const configured = ctx.config.publicUrl.trim().replace(/\/+$/, '');
  return configured !== '' ? configured : `${request.protocol}://${request.host}`;
}

const ingressUrl = (base: string, id: string): string => `${base}/in/${id}`;

async function loadSource(ctx: ApiContext, request: FastifyRequest): Promise<Source> {
  const { id } = request.params as { id: string };
  const source = await ctx.store.getSource(id, tenantFilter(principalOf(request)));
  if (!source) throw new HookdError('not_found', `No source ${id}.`);
  return source;
}

export function registerSourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;
  const tags = ['sources'];

  app.post('/v1/sources', { schema: { response: responses({ 201: SourceModel }), tags, summary: 'Create an inbound source (the verify secret is returned once)', body: createSourceBody } }, async (request, reply) => {
    const body = request.body as SourceBody;
    const now = ctx.now();
    const source: Source = {
      id: newId('source'),
      name: body.name,
      tenant: tenantForWrite(principalOf(request), body.tenant),
      verify: buildVerifyConfig(body.verify),
      allowIps: checkAllowIps(body.allowIps),
      eventType: checkEventTypeRule(body.eventType),
      orderingKey: checkOrderingKeyRule(body.orderingKey),
      maxBodyBytes: body.maxBodyBytes ?? null,
      consume: checkConsume(body.consume),
      createdAt: now,
      updatedAt: now,
    };
    await store.insertSource(source);
    return reply.code(201).send({ ...renderSource(source, ingressUrl(ingressBase(ctx, request), source.id)), verify: source.verify });
  });

  app.get('/v1/sources', { schema: { response: responses({ 200: SourcePageModel }), tags, summary: 'List sources', querystring: { type: 'object', additionalProperties: false, properties: { limit: requestListQuery.properties.limit, cursor: requestListQuery.properties.cursor } } } }, async (request) => {
    const q = request.query as { limit: number; cursor?: string };
    const page = await store.listSources(tenantFilter(principalOf(request)), { limit: q.limit, cursor: openCursor('sources', q.cursor) });
    const base = ingressBase(ctx, request);
    return { data: page.data.map((s) => renderSource(s, ingressUrl(base, s.id))), nextCursor: sealCursor('sources', page.nextCursor) };
  });

  app.get('/v1/sources/:id', { schema: { response: responses({ 200: SourceModel }), tags, summary: 'Get a source (secrets redacted)', params: sourceParams } }, async (request) => {
    const source = await loadSource(ctx, request);
    return renderSource(source, ingressUrl(ingressBase(ctx, request), source.id));
  });

  app.patch('/v1/sources/:id', { schema: { response: responses({ 200: SourceModel }), tags, summary: 'Update a source (a new verify is returned once)', params: sourceParams, body: patchSourceBody } }, async (request) => {
    const current = await loadSource(ctx, request);
    const body = request.body as Partial<SourceBody>;
    // The audit record says what each changed field was (secrets redacted), not only what was asked.
    noteAuditChanges(renderSource(current, ingressUrl(ingressBase(ctx, request), current.id)), body);
    const patch: Partial<Omit<Source, 'id' | 'createdAt'>> = { updatedAt: ctx.now() };
    if (body.name !== undefined) patch.name = body.name;
    if (body.verify !== undefined) patch.verify = buildVerifyConfig(body.verify);
    // null clears these; the store skips undefined members, so null is passed through as a value.
    if (body.allowIps !== undefined) patch.allowIps = checkAllowIps(body.allowIps);
    if (body.eventType !== undefined) patch.eventType = checkEventTypeRule(body.eventType);
    if (body.orderingKey !== undefined) patch.orderingKey = checkOrderingKeyRule(body.orderingKey);
    if (body.maxBodyBytes !== undefined) patch.maxBodyBytes = body.maxBodyBytes;
    if (body.consume !== undefined) patch.consume = checkConsume(body.consume);
    const updated = await store.updateSource(current.id, tenantFilter(principalOf(request)), patch);
    if (!updated) throw new HookdError('not_found', `No source ${current.id}.`);
    const rendered = renderSource(updated, ingressUrl(ingressBase(ctx, request), updated.id));
    return patch.verify !== undefined ? { ...rendered, verify: updated.verify } : rendered;
  });

  app.delete('/v1/sources/:id', { schema: { response: responses({ 204: NoContent }), tags, summary: 'Delete a source (its ingress answers 404 from now on)', params: sourceParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await store.deleteSource(id, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No source ${id}.`);
    return reply.code(204).send();
  });

  app.get(
    '/v1/sources/:id/requests',
    { schema: { response: responses({ 200: InboundRequestPageModel }), tags, summary: "The source's request log, newest first (accepted, duplicate and rejected, with the reason)", params: sourceParams, querystring: requestListQuery } },
    async (request) => {
      const source = await loadSource(ctx, request);
      const q = request.query as { verdict?: InboundVerdict; since?: string; until?: string; limit: number; cursor?: string };
      const page = await store.listInboundRequests(
        { sourceId: source.id, verdict: q.verdict, since: parseTime(q.since, 'since'), until: parseTime(q.until, 'until') },
        { limit: q.limit, cursor: openCursor('inbound-requests', q.cursor) },
      );
      return { data: page.data.map(renderInboundRequest), nextCursor: sealCursor('inbound-requests', page.nextCursor) };
    },
  );

  app.get('/v1/sources/:id/requests/:requestId', { schema: { response: responses({ 200: InboundRequestModel }), tags, summary: 'One logged request', params: requestParams } }, async (request) => {
    const source = await loadSource(ctx, request);
    const { requestId } = request.params as { requestId: string };
    const logged = await store.getInboundRequest(requestId, source.id);
    if (!logged) throw new HookdError('not_found', `No request ${requestId} for source ${source.id}.`);
    return renderInboundRequest(logged);
  });

  app.post(
    '/v1/sources/:id/requests/:requestId/replay',
    { schema: { response: responses({ 202: ReplayResultModel }), tags, summary: 'Re-run an accepted request through routing: a new event from the same bytes', params: requestParams } },
    async (request, reply) => {
      const source = await loadSource(ctx, request);
      const { requestId } = request.params as { requestId: string };
      const answer = await replayRequest(ctx, source, requestId);
      return reply.code(202).send(answer);
    },
  );
}
