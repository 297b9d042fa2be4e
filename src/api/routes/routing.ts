// Content filters and transforms over the API: save-time checks used by the endpoint routes, the
// filter test (POST /v1/filters/test), the transform test of an endpoint (saved or proposed code)
// and the endpoint's transform versions.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { evaluateFilter, validateFilter, type EventFilter } from '../../core/event-filter.js';
import { newId } from '../../core/ids.js';
import type { Endpoint, EndpointTransform, EventRecord, TransformPreset } from '../../core/types.js';
import { buildBody } from '../../delivery/request-builder.js';
import { createTransformRunner, type TransformRunner } from '../../delivery/transform-runner.js';
import { createTransformSandbox } from '../../delivery/transform-sandbox.js';
import type { EndpointPatch } from '../../store/store.js';
import { principalOf, tenantFilter } from '../auth.js';
import type { ApiContext } from '../context.js';
import { maskHeaders, renderTransform } from '../render.js';
import { idParams } from '../schemas/common.js';
import { transformSchema } from '../schemas/endpoint.js';
import { FilterTestResultModel, TransformTestResultModel, TransformVersionsModel } from '../../wire/index.js';
import { responses } from '../responses.js';

export type TransformInput = { code: string; preset?: undefined } | { preset: TransformPreset; code?: undefined };

/** Previous transform versions kept per endpoint (newest first); older ones are dropped. */
export const TRANSFORM_HISTORY_LIMIT = 20;

export function checkFilter(filter: unknown, path: string): void {
  const errors = validateFilter(filter, path);
  if (errors.length > 0) {
    throw new HookdError('invalid_filter', `The filter is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
}

function transformsOf(ctx: ApiContext): TransformRunner {
  return (ctx.transforms ??= createTransformRunner({
    sandbox: createTransformSandbox({ memoryLimitBytes: ctx.config.transformMemoryMb * 1024 * 1024, cpuTimeMs: ctx.config.transformCpuMs }),
    dashboardUrl: ctx.config.publicUrl.trim() || `http://${ctx.config.host}:${ctx.config.port}`,
  }));
}

/** Code must compile and define transform(); presets are checked by the schema. */
export async function checkTransform(ctx: ApiContext, transform: TransformInput, path = '/body/transform/code'): Promise<void> {
  if (transform.code === undefined) return;
  const problem = await transformsOf(ctx).check(transform.code);
  if (problem !== null) throw new HookdError('invalid_transform', `The transform code is invalid: ${problem}`, { errors: [{ path, message: problem }] });
}

/**
 * The patch that makes `input` the endpoint's transform: the next version number (counting the
 * history, so a removed-then-restored transform never reuses a number) and the replaced version
 * pushed onto the history. The same transform again changes nothing.
 */
export function nextTransform(current: EndpointTransform | null, history: EndpointTransform[], input: TransformInput | null, now: number): Pick<EndpointPatch, 'transform' | 'transformHistory'> {
  if (input === null) return current === null ? {} : { transform: null, transformHistory: [current, ...history].slice(0, TRANSFORM_HISTORY_LIMIT) };
  if (current !== null && current.code === input.code && current.preset === input.preset) return {};
  const version = Math.max(current?.version ?? 0, history[0]?.version ?? 0) + 1;
  const transform: EndpointTransform = input.preset !== undefined ? { version, preset: input.preset, createdAt: now } : { version, code: input.code, createdAt: now };
  return { transform, transformHistory: current === null ? history : [current, ...history].slice(0, TRANSFORM_HISTORY_LIMIT) };
}

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    type: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
    tenant: { type: ['string', 'null'], minLength: 1, maxLength: 128 },
    data: {},
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

interface ExampleEvent {
  id?: string;
  type?: string;
  tenant?: string | null;
  data?: unknown;
  createdAt?: string;
}

async function loadEndpoint(ctx: ApiContext, request: FastifyRequest): Promise<Endpoint> {
  const { id } = request.params as { id: string };
  const endpoint = await ctx.store.getEndpoint(id, tenantFilter(principalOf(request)));
  if (!endpoint) throw new HookdError('not_found', `No endpoint ${id}.`);
  return endpoint;
}

export function registerRoutingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = idParams();

  app.post(
    '/v1/filters/test',
    {
      schema: {
        response: responses({ 200: FilterTestResultModel }),
        tags: ['endpoints'],
        summary: 'Test a content filter against an example event: whether it matches, and why not',
        body: { type: 'object', additionalProperties: false, required: ['filter', 'event'], properties: { filter: { type: 'object' }, event: { ...eventSchema, required: ['type'] } } },
      },
    },
    async (request) => {
      const body = request.body as { filter: EventFilter; event: ExampleEvent & { type: string } };
      checkFilter(body.filter, '/body/filter');
      const principal = principalOf(request);
      // A tenant key tests events of its own tenant (what its endpoints can receive).
      const tenant = principal.role === 'tenant' ? principal.tenant : (body.event.tenant ?? null);
      const verdict = evaluateFilter(body.filter, { type: body.event.type, tenant, data: body.event.data });
      return { match: verdict.match, reasons: verdict.reasons };
    },
  );

  app.post(
    '/v1/endpoints/:id/transform/test',
    {
      schema: {
        response: responses({ 200: TransformTestResultModel }),
        tags: ['endpoints'],
        summary: "Run the endpoint's transform (or a proposed one) on an example event and show the request it would send",
        params,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { event: eventSchema, transform: { ...transformSchema, type: 'object' } } },
      },
    },
    async (request) => {
      const endpoint = await loadEndpoint(ctx, request);
      const body = (request.body ?? {}) as { event?: ExampleEvent; transform?: TransformInput };
      if (body.transform) await checkTransform(ctx, body.transform);
      const candidate: Endpoint = body.transform ? { ...endpoint, ...nextTransform(null, [], body.transform, ctx.now()) } : endpoint;
      const example = body.event ?? {};
      const type = example.type ?? 'hookd.test';
      let data = example.data;
      if (data === undefined) data = (await ctx.store.getEventType(type))?.example ?? { message: 'This is a test event from hookd.', endpointId: endpoint.id };
      const createdAt = example.createdAt ? Date.parse(example.createdAt) : ctx.now();
      const payload = JSON.stringify(data ?? null);
      const event: EventRecord = {
        id: example.id ?? newId('event'),
        type,
        tenant: endpoint.tenant,
        payload,
        rawBody: null,
        idempotencyKey: null,
        requestHash: null,
        sourceId: null,
        seq: 0,
        createdAt,
      };
      const original = { url: endpoint.url, headers: endpoint.headers, body: buildBody(event, endpoint.payloadFormat) };
      if (!candidate.transform) {
        return { result: 'unchanged', transform: null, request: renderRequest(original), durationMs: 0 };
      }
      const applied = await transformsOf(ctx).apply(candidate, event, original);
      const transform = renderTransform(candidate.transform);
      if (applied.kind === 'ok') return { result: 'ok', transform, request: renderRequest(applied.request), durationMs: round(applied.durationMs) };
      if (applied.kind === 'cancelled') return { result: 'cancelled', transform, request: null, durationMs: round(applied.durationMs) };
      if (applied.kind === 'error') return { result: 'error', transform, error: applied.message, request: null, durationMs: round(applied.durationMs) };
      return { result: 'unchanged', transform, request: renderRequest(original), durationMs: 0 };
    },
  );

  app.get('/v1/endpoints/:id/transform/versions', { schema: { response: responses({ 200: TransformVersionsModel }), tags: ['endpoints'], summary: "The endpoint's current transform and its previous versions, newest first", params } }, async (request) => {
    const endpoint = await loadEndpoint(ctx, request);
    return { current: renderTransform(endpoint.transform ?? null), previous: (endpoint.transformHistory ?? []).map((t) => renderTransform(t)) };
  });
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** The request as the transform left it; hookd adds signature, auth, content-type and user-agent headers when it sends. */
function renderRequest(r: { url: string; headers: Record<string, string>; body: Buffer }): Record<string, unknown> {
  const text = r.body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { url: r.url, method: 'POST', headers: maskHeaders(r.headers), body: text, ...(json === undefined ? {} : { json }) };
}
