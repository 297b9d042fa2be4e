// /v1/alerts/rules: what raises an alert. A rule belongs to a tenant (forced from a tenant key) or
// to the operator (null), and may only name channels of its own tenant, and endpoints/sources its
// tenant can see; anything else is refused by id (unknown_alert_channel / unknown_alert_subject).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertRuleKind, AlertRuleRecord } from '../../core/alert-types.js';
import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { principalOf, tenantFilter, tenantForWrite } from '../auth.js';
import type { ApiContext } from '../context.js';
import { iso } from '../render.js';
import { NoContent, responses } from '../responses.js';
import { AlertRuleListModel, AlertRuleModel, type AlertRuleView } from '../../wire/index.js';
import { idParams } from './alert-channels.js';

interface RuleFields {
  name?: string;
  threshold?: number | null;
  windowSeconds?: number;
  endpoints?: string[];
  sources?: string[];
  channels?: string[];
  enabled?: boolean;
}

const ids = (max: number, min = 0) => ({ type: 'array', minItems: min, maxItems: max, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } }) as const;
const fieldProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  threshold: { type: ['number', 'null'] },
  // One minute to one week: the window is also the grouping period (one notification per window).
  windowSeconds: { type: 'integer', minimum: 60, maximum: 604_800 },
  endpoints: ids(100),
  sources: ids(100),
  channels: ids(20, 1),
  enabled: { type: 'boolean' },
} as const;
const KINDS: AlertRuleKind[] = ['endpoint_disabled', 'deliveries_exhausted', 'error_rate', 'latency_p95', 'source_rejecting'];

const createRuleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'channels'],
  properties: { ...fieldProperties, kind: { type: 'string', enum: KINDS }, tenant: { type: ['string', 'null'], minLength: 1, maxLength: 128 } },
} as const;
const patchRuleBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: fieldProperties } as const;

function invalid(path: string, message: string): never {
  throw new HookdError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
}

/** The threshold's meaning depends on the kind; the event rules have none. */
function checkThreshold(kind: AlertRuleKind, threshold: number | null): void {
  if (kind === 'endpoint_disabled' || kind === 'deliveries_exhausted') {
    if (threshold !== null) invalid('/body/threshold', `a ${kind} rule has no threshold`);
    return;
  }
  if (threshold === null || !Number.isFinite(threshold)) invalid('/body/threshold', `required for a ${kind} rule`);
  if (kind === 'latency_p95') {
    if (threshold <= 0 || threshold > 600_000) invalid('/body/threshold', 'milliseconds, above 0 and at most 600000');
  } else if (threshold <= 0 || threshold > 1) invalid('/body/threshold', 'a fraction above 0 and at most 1 (0.5 = 50%)');
}

/** Every id the rule names must exist within what the rule's tenant may see. */
async function checkReferences(ctx: ApiContext, rule: AlertRuleRecord): Promise<void> {
  if (rule.kind === 'source_rejecting' && rule.endpointIds.length > 0) invalid('/body/endpoints', 'a source_rejecting rule watches sources');
  if (rule.kind !== 'source_rejecting' && rule.sourceIds.length > 0) invalid('/body/sources', 'only a source_rejecting rule watches sources');
  const visible = rule.tenant ?? undefined; // an operator rule may name any tenant's endpoint
  const channels = await Promise.all(rule.channelIds.map((id) => ctx.store.getAlertChannel(id, rule.tenant)));
  const badChannels = rule.channelIds.filter((_, i) => channels[i] === null);
  if (badChannels.length > 0) {
    throw new HookdError('unknown_alert_channel', `No alert channel ${badChannels.join(', ')} in the rule's tenant.`, {
      errors: badChannels.map((id) => ({ path: `/body/channels/${rule.channelIds.indexOf(id)}`, message: `no channel ${id} in this tenant` })),
    });
  }
  const errors: { path: string; message: string }[] = [];
  for (const [i, id] of rule.endpointIds.entries()) if ((await ctx.store.getEndpoint(id, visible)) === null) errors.push({ path: `/body/endpoints/${i}`, message: `no endpoint ${id}` });
  for (const [i, id] of rule.sourceIds.entries()) if ((await ctx.store.getSource(id, visible)) === null) errors.push({ path: `/body/sources/${i}`, message: `no source ${id}` });
  if (errors.length > 0) throw new HookdError('unknown_alert_subject', errors.map((e) => e.message).join('; '), { errors });
}

export function renderAlertRule(r: AlertRuleRecord): AlertRuleView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    tenant: r.tenant,
    threshold: r.threshold,
    windowSeconds: Math.round(r.windowMs / 1000),
    endpoints: r.endpointIds,
    sources: r.sourceIds,
    channels: r.channelIds,
    enabled: r.enabled,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

async function loadRule(ctx: ApiContext, request: FastifyRequest): Promise<AlertRuleRecord> {
  const { id } = request.params as { id: string };
  const rule = await ctx.store.getAlertRule(id, tenantFilter(principalOf(request)));
  if (!rule) throw new HookdError('not_found', `No alert rule ${id}.`);
  return rule;
}

export function registerAlertRuleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['alerts'];

  app.post('/v1/alerts/rules', { schema: { response: responses({ 201: AlertRuleModel }), tags, summary: 'Create an alert rule', body: createRuleBody } }, async (request, reply) => {
    const body = request.body as RuleFields & { name: string; kind: AlertRuleKind; channels: string[]; tenant?: string | null };
    const now = ctx.now();
    const rule: AlertRuleRecord = {
      id: newId('alertRule'),
      name: body.name,
      kind: body.kind,
      tenant: tenantForWrite(principalOf(request), body.tenant),
      threshold: body.threshold ?? null,
      windowMs: (body.windowSeconds ?? 300) * 1000,
      endpointIds: body.endpoints ?? [],
      sourceIds: body.sources ?? [],
      channelIds: body.channels,
      enabled: body.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    checkThreshold(rule.kind, rule.threshold);
    await checkReferences(ctx, rule);
    await ctx.store.insertAlertRule(rule);
    return reply.code(201).send(renderAlertRule(rule));
  });

  app.get('/v1/alerts/rules', { schema: { response: responses({ 200: AlertRuleListModel }), tags, summary: 'List alert rules' } }, async (request) => ({
    data: (await ctx.store.listAlertRules(tenantFilter(principalOf(request)))).map(renderAlertRule),
  }));

  app.get('/v1/alerts/rules/:id', { schema: { response: responses({ 200: AlertRuleModel }), tags, summary: 'Get an alert rule', params: idParams } }, async (request) =>
    renderAlertRule(await loadRule(ctx, request)),
  );

  app.patch(
    '/v1/alerts/rules/:id',
    { schema: { response: responses({ 200: AlertRuleModel }), tags, summary: 'Update an alert rule (its kind and tenant stay)', params: idParams, body: patchRuleBody } },
    async (request) => {
      const current = await loadRule(ctx, request);
      const body = request.body as RuleFields;
      const next: AlertRuleRecord = {
        ...current,
        name: body.name ?? current.name,
        threshold: body.threshold !== undefined ? body.threshold : current.threshold,
        windowMs: body.windowSeconds !== undefined ? body.windowSeconds * 1000 : current.windowMs,
        endpointIds: body.endpoints ?? current.endpointIds,
        sourceIds: body.sources ?? current.sourceIds,
        channelIds: body.channels ?? current.channelIds,
        enabled: body.enabled ?? current.enabled,
        updatedAt: ctx.now(),
      };
      checkThreshold(next.kind, next.threshold);
      await checkReferences(ctx, next);
      if (!(await ctx.store.updateAlertRule(next, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No alert rule ${current.id}.`);
      return renderAlertRule(next);
    },
  );

  app.delete('/v1/alerts/rules/:id', { schema: { response: responses({ 204: NoContent }), tags, summary: 'Delete an alert rule', params: idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await ctx.store.deleteAlertRule(id, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No alert rule ${id}.`);
    return reply.code(204).send();
  });
}
