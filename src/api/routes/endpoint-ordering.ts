// Ordered delivery per key, operator side (docs/routing.md, "Ordering"): the blocked keys of an
// endpoint, and retry / skip / release of one key. Tenant keys reach only their own endpoints (the
// endpoint lookup is tenant-filtered, so another tenant's endpoint is a plain 404).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { checkOrderingKey } from '../../core/ordering-key.js';
import type { OrderingAction } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantFilter } from '../auth.js';
import { iso } from '../render.js';
import { pageQueryProps } from '../schemas/common.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { BlockedKeyPageModel, OrderingActionResultModel } from '../../wire/index.js';
import { responses } from '../responses.js';

const endpointParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

const actionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key: { type: 'string', description: 'The ordering key (1-256 characters, no control characters).' } },
} as const;

const ACTIONS: Record<OrderingAction, string> = {
  retry: "Re-queue the key's blocked head with a fresh retry schedule; the rest of the key waits for it",
  skip: "Leave the key's blocked head failed and send the next delivery of the key",
  release: "Cancel every waiting delivery of the key (code ordering_released) and drop its block; one being sent finishes",
};

async function endpointOf(ctx: ApiContext, request: FastifyRequest): Promise<string> {
  const { id } = request.params as { id: string };
  const endpoint = await ctx.store.getEndpoint(id, tenantFilter(principalOf(request)));
  if (!endpoint) throw new HookdError('not_found', `No endpoint ${id}.`);
  return endpoint.id;
}

export function registerEndpointOrderingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/endpoints/:id/ordering/blocked',
    {
      schema: {
        response: responses({ 200: BlockedKeyPageModel }),
        tags: ['endpoints'],
        summary: "The endpoint's blocked ordering keys, by key",
        params: endpointParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProps },
      },
    },
    async (request) => {
      const endpointId = await endpointOf(ctx, request);
      const q = request.query as { limit: number; cursor?: string };
      const page = await ctx.store.listBlockedKeys(endpointId, { limit: q.limit, cursor: openCursor('ordering-blocked', q.cursor) });
      return {
        data: page.data.map((k) => ({
          key: k.key,
          deliveryId: k.deliveryId,
          eventId: k.eventId,
          lastCode: k.lastCode,
          lastStatus: k.lastStatus,
          blockedAt: iso(k.blockedAt),
          waiting: k.waiting,
        })),
        nextCursor: sealCursor('ordering-blocked', page.nextCursor),
      };
    },
  );

  for (const action of Object.keys(ACTIONS) as OrderingAction[]) {
    app.post(
      `/v1/endpoints/:id/ordering/${action}`,
      { schema: { response: responses({ 200: OrderingActionResultModel }), tags: ['endpoints'], summary: ACTIONS[action], params: endpointParams, body: actionBody } },
      async (request) => {
        const endpointId = await endpointOf(ctx, request);
        const key = checkOrderingKey((request.body as { key: string }).key, '/body/key')!;
        const result = await ctx.store.orderingAction(endpointId, key, action, ctx.now());
        if (result === null) throw new HookdError('not_found', `Endpoint ${endpointId} has no waiting or blocked delivery with ordering key ${JSON.stringify(key)}.`);
        if (result.notBlocked) {
          throw new HookdError('ordering_key_not_blocked', `The head of ordering key ${JSON.stringify(key)} (delivery ${result.deliveryId}) is not blocked.`, { extra: { deliveryId: result.deliveryId } });
        }
        if (action !== 'release') ctx.dispatcher.wake();
        return { action, key, deliveryId: result.deliveryId, cancelled: result.cancelled };
      },
    );
  }
}
