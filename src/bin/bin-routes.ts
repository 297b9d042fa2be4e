// Bins API: create, list, get, update, delete; the captured requests, newest first. Every route is
// tenant-scoped: another tenant's bin is a 404, and so are its requests.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, tenantFilter, tenantForWrite } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import { openCursor, sealCursor } from '../api/page-cursor.js';
import { NoContent, responses } from '../api/responses.js';
import type { Bin } from '../core/bin-types.js';
import { HookdError } from '../core/errors.js';
import { DEFAULT_MOCK, parseLatency, type MockBehaviour } from '../core/mock-behaviour.js';
import type { Sender } from '../delivery/sender-types.js';
import { BinModel, BinPageModel, BinReplayResultModel, BinRequestModel, BinRequestPageModel } from '../wire/index.js';
import { replayCapture } from './replay-capture.js';
import { newBinId } from './bin-id.js';
import { binListQuery, binParams, binReplayBody, binRequestParams, createBinBody, patchBinBody } from './bin-schema.js';
import { renderBin, renderBinRequest } from './render-bin.js';

interface BinBody {
  name?: string;
  status?: number;
  failRate?: number;
  failStatus?: number;
  latency?: string;
  retryAfter?: number | null;
  failFirst?: number;
  goneAfter?: number | null;
  responseBody?: string | null;
  secret?: string | null;
  expiresInSeconds?: number;
  tenant?: string | null;
}

/** `HOOKD_PUBLIC_URL` when set, else the address this request reached. */
function captureUrl(ctx: ApiContext, request: FastifyRequest, id: string): string {
  const configured = ctx.config.publicUrl.trim().replace(/\/+$/, '');
  return `${configured !== '' ? configured : `${request.protocol}://${request.host}`}/bin/${id}`;
}

function behaviourOf(body: BinBody, base: MockBehaviour): MockBehaviour {
  const next: MockBehaviour = { ...base, latency: { ...base.latency } };
  if (body.status !== undefined) next.status = body.status;
  if (body.failRate !== undefined) next.failRate = body.failRate;
  if (body.failStatus !== undefined) next.failStatus = body.failStatus;
  if (body.retryAfter !== undefined) next.retryAfter = body.retryAfter;
  if (body.failFirst !== undefined) next.failFirst = body.failFirst;
  if (body.goneAfter !== undefined) next.goneAfter = body.goneAfter;
  if (body.latency !== undefined) {
    try {
      next.latency = parseLatency(body.latency);
    } catch (err) {
      throw new HookdError('validation_failed', (err as Error).message, { errors: [{ path: '/body/latency', message: (err as Error).message }] });
    }
  }
  return next;
}

function expiryOf(ctx: ApiContext, seconds: number | undefined): number {
  const ttl = Math.min(seconds ?? ctx.config.binTtlSeconds, ctx.config.binTtlSeconds);
  return ctx.now() + ttl * 1000;
}

async function loadBin(ctx: ApiContext, request: FastifyRequest): Promise<Bin> {
  const { id } = request.params as { id: string };
  const bin = await ctx.store.getBin(id, tenantFilter(principalOf(request)));
  if (!bin) throw new HookdError('not_found', `No bin ${id}.`);
  return bin;
}

export function registerBinRoutes(app: FastifyInstance, ctx: ApiContext, sender: Sender): void {
  const { store } = ctx;
  const tags = ['bins'];

  app.post('/v1/bins', { schema: { response: responses({ 201: BinModel }), tags, summary: 'Create a request bin (answer includes its capture URL)', body: createBinBody } }, async (request, reply) => {
    const body = (request.body ?? {}) as BinBody;
    const tenant = tenantForWrite(principalOf(request), body.tenant);
    const now = ctx.now();
    const bin: Bin = {
      id: newBinId(),
      tenant,
      name: body.name ?? 'bin',
      behaviour: behaviourOf(body, DEFAULT_MOCK),
      responseBody: body.responseBody ?? null,
      secret: body.secret ?? null,
      expiresAt: expiryOf(ctx, body.expiresInSeconds),
      createdAt: now,
    };
    // The store counts and inserts in one step, so concurrent creates cannot overshoot the cap.
    if (!(await store.insertBin(bin, ctx.config.binMaxPerTenant))) {
      throw new HookdError('bin_limit_reached', `This tenant already has ${ctx.config.binMaxPerTenant} bins.`);
    }
    return reply.code(201).send(renderBin(bin, captureUrl(ctx, request, bin.id)));
  });

  app.get('/v1/bins', { schema: { response: responses({ 200: BinPageModel }), tags, summary: 'List request bins, newest first', querystring: binListQuery } }, async (request) => {
    const q = request.query as { limit: number; cursor?: string };
    const page = await store.listBins(tenantFilter(principalOf(request)), { limit: q.limit, cursor: openCursor('bins', q.cursor) });
    return { data: page.data.map((b) => renderBin(b, captureUrl(ctx, request, b.id))), nextCursor: sealCursor('bins', page.nextCursor) };
  });

  app.get('/v1/bins/:id', { schema: { response: responses({ 200: BinModel }), tags, summary: 'Get a request bin (secret redacted)', params: binParams } }, async (request) => {
    const bin = await loadBin(ctx, request);
    return renderBin(bin, captureUrl(ctx, request, bin.id));
  });

  app.patch('/v1/bins/:id', { schema: { response: responses({ 200: BinModel }), tags, summary: "Change a bin's name, answer, secret or lifetime", params: binParams, body: patchBinBody } }, async (request) => {
    const current = await loadBin(ctx, request);
    const body = request.body as BinBody;
    const patch: Partial<Omit<Bin, 'id' | 'createdAt' | 'tenant'>> = { behaviour: behaviourOf(body, current.behaviour) };
    if (body.name !== undefined) patch.name = body.name;
    if (body.responseBody !== undefined) patch.responseBody = body.responseBody;
    if (body.secret !== undefined) patch.secret = body.secret;
    if (body.expiresInSeconds !== undefined) patch.expiresAt = expiryOf(ctx, body.expiresInSeconds);
    const updated = await store.updateBin(current.id, tenantFilter(principalOf(request)), patch);
    if (!updated) throw new HookdError('not_found', `No bin ${current.id}.`);
    return renderBin(updated, captureUrl(ctx, request, updated.id));
  });

  app.delete('/v1/bins/:id', { schema: { response: responses({ 204: NoContent }), tags, summary: 'Delete a bin and every request it captured', params: binParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await store.deleteBin(id, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No bin ${id}.`);
    return reply.code(204).send();
  });

  app.get(
    '/v1/bins/:id/requests',
    { schema: { response: responses({ 200: BinRequestPageModel }), tags, summary: 'Requests the bin captured, newest first (body as text or base64, signature checked)', params: binParams, querystring: binListQuery } },
    async (request) => {
      const bin = await loadBin(ctx, request);
      const q = request.query as { limit: number; cursor?: string };
      const page = await store.listBinRequests(bin.id, { limit: q.limit, cursor: openCursor('bin-requests', q.cursor) });
      return { data: page.data.map((r) => renderBinRequest(r, bin.secret)), nextCursor: sealCursor('bin-requests', page.nextCursor) };
    },
  );

  app.get(
    '/v1/bins/:id/requests/:requestId',
    { schema: { response: responses({ 200: BinRequestModel }), tags, summary: 'One captured request', params: binRequestParams } },
    async (request) => {
      const bin = await loadBin(ctx, request);
      const { requestId } = request.params as { requestId: string };
      const found = await store.getBinRequest(bin.id, requestId);
      if (!found) throw new HookdError('not_found', `No request ${requestId} in bin ${bin.id}.`);
      return renderBinRequest(found, bin.secret);
    },
  );

  app.post(
    '/v1/bins/:id/requests/:requestId/replay',
    { schema: { response: responses({ 200: BinReplayResultModel }), tags, summary: 'Send a captured request to a URL (SSRF policy applies); answers its status and duration', params: binRequestParams, body: binReplayBody } },
    async (request) => {
      const bin = await loadBin(ctx, request);
      const { requestId } = request.params as { requestId: string };
      const found = await store.getBinRequest(bin.id, requestId);
      if (!found) throw new HookdError('not_found', `No request ${requestId} in bin ${bin.id}.`);
      const { url } = request.body as { url: string };
      const verdict = await ctx.vetUrl(url);
      if (!verdict.ok) {
        const code = verdict.code === 'blocked_address' ? 'blocked_address' : 'invalid_url';
        throw new HookdError(code, verdict.message, { errors: [{ path: '/body/url', message: verdict.message }] });
      }
      const sent = await replayCapture(sender, found, url, { timeoutMs: ctx.config.defaultTimeoutMs, connectTimeoutMs: ctx.config.connectTimeoutMs });
      return { url, status: sent.status, durationMs: sent.durationMs, errorCode: sent.errorCode, errorMessage: sent.errorMessage, body: sent.body, bodyTruncated: sent.bodyTruncated };
    },
  );
}
