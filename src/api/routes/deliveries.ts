// Deliveries: list with filters, get with attempts, retry now (same webhook-id).

import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../core/types.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantFilter } from '../auth.js';
import { parseTime } from '../cursor.js';
import { renderAttempt, renderDelivery } from '../render.js';
import { idParams, isoDate, pageQueryProps } from '../schemas/common.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { DeliveryModel, DeliveryPageModel, DeliveryWithAttemptsModel } from '../../wire/index.js';
import { responses } from '../responses.js';
import { tenantFromQuery } from '../tenant-query.js';
import { ATTEMPT_CODES } from '../../core/attempt-codes.js';


export function registerDeliveryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/deliveries',
    {
      schema: {
        response: responses({ 200: DeliveryPageModel }),
        tags: ['deliveries'],
        summary: 'List deliveries, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProps,
            status: { type: 'string', enum: [...DELIVERY_STATUSES] },
            endpoint: { type: 'string', maxLength: 128 },
            event: { type: 'string', maxLength: 128 },
            type: { type: 'string', maxLength: 128 },
            since: isoDate,
            until: isoDate,
            tenant: { type: 'string', minLength: 1, maxLength: 128 },
            httpStatus: { type: 'integer', minimum: 100, maximum: 599, description: "The last attempt's HTTP response status." },
            code: { type: 'string', enum: Object.keys(ATTEMPT_CODES), description: "The last attempt's code." },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { limit: number; cursor?: string; status?: DeliveryStatus; endpoint?: string; event?: string; type?: string; since?: string; until?: string; tenant?: string; httpStatus?: number; code?: string };
      const page = await ctx.store.listDeliveries(
        {
          tenant: tenantFromQuery(principalOf(request), q.tenant),
          lastStatus: q.httpStatus,
          lastCode: q.code,
          status: q.status,
          endpointId: q.endpoint,
          eventId: q.event,
          eventType: q.type,
          since: parseTime(q.since, 'since'),
          until: parseTime(q.until, 'until'),
        },
        { limit: q.limit, cursor: openCursor('deliveries', q.cursor) },
      );
      return { data: page.data.map(renderDelivery), nextCursor: sealCursor('deliveries', page.nextCursor) };
    },
  );

  app.get('/v1/deliveries/:id', { schema: { response: responses({ 200: DeliveryWithAttemptsModel }), tags: ['deliveries'], summary: 'Get a delivery with its attempts', params: idParams() } }, async (request) => {
    const { id } = request.params as { id: string };
    const delivery = await ctx.store.getDelivery(id, tenantFilter(principalOf(request)));
    if (!delivery) throw new HookdError('not_found', `No delivery ${id}.`);
    const attempts = await ctx.store.listAttempts(id);
    return { ...renderDelivery(delivery), attempts: attempts.map(renderAttempt) };
  });

  // One attempt by default (a person asked for one send); ?schedule=fresh runs the retry schedule again.
  const retryQuery = { type: 'object', additionalProperties: false, properties: { schedule: { type: 'string', enum: ['once', 'fresh'], default: 'once' } } } as const;
  app.post('/v1/deliveries/:id/retry', { schema: { response: responses({ 202: DeliveryModel }), tags: ['deliveries'], summary: 'Re-send now (also after success: a manual redelivery with the same webhook-id)', params: idParams(), querystring: retryQuery } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const tenant = tenantFilter(principalOf(request));
    // A disabled endpoint's deliveries are never claimed: re-queueing one would leave it pending
    // forever with its next attempt in the past. Refuse and say what to do instead.
    const delivery = await ctx.store.getDelivery(id, tenant);
    const endpoint = delivery ? await ctx.store.getEndpoint(delivery.endpointId, tenant) : null;
    if (endpoint && !endpoint.enabled) {
      throw new HookdError('endpoint_disabled', `Delivery ${id} goes to endpoint ${endpoint.id}, which is disabled (${endpoint.disabledReason ?? 'manual'}). Enable it first (PATCH /v1/endpoints/${endpoint.id} { "enabled": true }), then retry.`, {
        extra: { endpointId: endpoint.id, disabledReason: endpoint.disabledReason },
      });
    }
    const { schedule } = request.query as { schedule: 'once' | 'fresh' };
    const result = await ctx.store.requeueDelivery(id, tenant, ctx.now(), { trigger: 'manual', freshSchedule: schedule === 'fresh' });
    if (result === 'not_found') throw new HookdError('not_found', `No delivery ${id}.`);
    if (result === 'in_flight') throw new HookdError('delivery_in_flight', `Delivery ${id} is being sent right now.`);
    ctx.dispatcher.wake();
    return reply.code(202).send(renderDelivery(result));
  });
}
