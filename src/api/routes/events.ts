// Events: publish (with idempotency), the pull feed with long-polling, one event, its deliveries.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HookdError } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantFilter, tenantForWrite } from '../auth.js';
import type { Principal } from '../../core/types.js';
import { tenantFromQuery } from '../tenant-query.js';
import { MATCH_MAX_LENGTH, parseEventMatch } from '../../core/event-match.js';
import { decodeSeqCursor, encodeSeqCursor, parseTime } from '../cursor.js';
import { renderDelivery, renderEvent, iso } from '../render.js';
import { idParams, isoDate, pageQueryProps, tenantSchema } from '../schemas/common.js';
import type { FeedQuery, PublishResult } from '../../store/store.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { dataTextsOf } from '../event-data-text.js';
import { BatchPublishResultModel, DeliveryPageModel, EventFeedModel, EventModel, PublishResultModel } from '../../wire/index.js';
import { responses } from '../responses.js';

const publishBody = {
  type: 'object',
  required: ['type', 'data'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
    data: { description: 'Any JSON value.' },
    tenant: tenantSchema,
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
    // Length and characters are checked by the publisher (core/ordering-key.ts), with their own message.
    orderingKey: { type: ['string', 'null'], description: 'Ordered delivery per key (docs/routing.md, "Ordering"): 1-256 characters, no control characters.' },
  },
} as const;

interface PublishBody {
  type: string;
  data: unknown;
  tenant?: string | null;
  idempotencyKey?: string;
  orderingKey?: string | null;
}

export const MAX_WAIT_SECONDS = 30;
export const MAX_BATCH = 1000;

function idempotencyKeyOf(request: FastifyRequest, bodyKey: string | undefined): string | null {
  const header = request.headers['idempotency-key'];
  const headerKey = Array.isArray(header) ? header[0] : header;
  if (headerKey !== undefined && (headerKey.length === 0 || headerKey.length > 255)) {
    throw new HookdError('validation_failed', 'The Idempotency-Key header must be 1 to 255 characters.', { errors: [{ path: '/headers/idempotency-key', message: 'must be 1 to 255 characters' }] });
  }
  if (headerKey !== undefined && bodyKey !== undefined && headerKey !== bodyKey) {
    throw new HookdError('validation_failed', 'The Idempotency-Key header and body idempotencyKey differ.', { errors: [{ path: '/body/idempotencyKey', message: 'differs from the Idempotency-Key header' }] });
  }
  return headerKey ?? bodyKey ?? null;
}

export function publishAnswer(result: PublishResult): { status: number; body: Record<string, unknown> } {
  if (result.kind === 'conflict') {
    throw new HookdError('idempotency_conflict', `The idempotency key was already used for event ${result.event.id} with a different body.`, { extra: { eventId: result.event.id } });
  }
  return {
    status: result.kind === 'created' ? 202 : 200,
    body: { id: result.event.id, type: result.event.type, tenant: result.event.tenant, createdAt: iso(result.event.createdAt), deliveries: result.deliveries, replayed: result.kind === 'replayed' },
  };
}

interface EventSearchQuery {
  after?: string;
  type?: string;
  typePrefix?: string;
  id?: string;
  idempotencyKey?: string;
  tenant?: string;
  since?: string;
  until?: string;
  match?: string;
  limit: number;
  wait: number;
}

/**
 * The store query of a search. This is where the routing issue's filter syntax plugs in once it
 * exists: a `filter` query parameter parsed by its module and translated into FeedQuery fields (or a
 * new predicate field on FeedQuery that both stores implement), next to `match`.
 */
function eventSearchOf(principal: Principal, q: EventSearchQuery): Omit<FeedQuery, 'afterSeq' | 'limit'> {
  return {
    tenant: tenantFromQuery(principal, q.tenant),
    type: q.type,
    typePrefix: q.typePrefix,
    id: q.id,
    idempotencyKey: q.idempotencyKey,
    since: parseTime(q.since, 'since'),
    until: parseTime(q.until, 'until'),
    match: q.match === undefined ? undefined : parseEventMatch(q.match),
  };
}

export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/events', { schema: { response: responses({ 200: PublishResultModel, 202: PublishResultModel }), tags: ['events'], summary: 'Publish an event', body: publishBody } }, async (request, reply) => {
    const body = request.body as PublishBody;
    const principal = principalOf(request);
    const result = await ctx.publisher.publish({
      type: body.type,
      data: body.data,
      payload: dataTextsOf(request, ['data'])[0],
      tenant: tenantForWrite(principal, body.tenant),
      idempotencyKey: idempotencyKeyOf(request, body.idempotencyKey),
      orderingKey: body.orderingKey ?? null,
    });
    const answer = publishAnswer(result);
    return reply.code(answer.status).send(answer.body);
  });

  app.post(
    '/v1/events/batch',
    {
      schema: {
        response: responses({ 202: BatchPublishResultModel }),
        tags: ['events'],
        summary: 'Publish up to 1,000 events in one transaction',
        description: 'Validation is all-or-nothing: if any item is invalid, nothing is written and every error is listed with its index. Idempotency is per item: a replayed key returns the original event, a conflicting one is reported with status 409 in its slot.',
        body: { type: 'object', additionalProperties: false, required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: publishBody } } },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const items = (request.body as { events: PublishBody[] }).events;
      const texts = dataTextsOf(request, ['events', '*', 'data']);
      const inputs = items.map((item, index) => ({
        type: item.type,
        data: item.data,
        payload: texts[index],
        tenant: tenantForWrite(principal, item.tenant, `/body/events/${index}/tenant`),
        idempotencyKey: item.idempotencyKey ?? null,
        orderingKey: item.orderingKey ?? null,
      }));
      const results = await ctx.publisher.publishBatch(inputs, (index) => `/body/events/${index}`);
      const data = results.map((r) =>
        r.kind === 'conflict'
          ? { status: 409, code: 'idempotency_conflict', id: r.event.id }
          : { status: r.kind === 'created' ? 202 : 200, id: r.event.id, type: r.event.type, createdAt: iso(r.event.createdAt), deliveries: r.deliveries, replayed: r.kind === 'replayed' },
      );
      return reply.code(202).send({ data, deliveries: results.reduce((n, r) => n + (r.kind === 'conflict' ? 0 : r.deliveries), 0) });
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        response: responses({ 200: EventFeedModel }),
        tags: ['events'],
        summary: 'Pull feed and search of events, oldest first, with optional long-polling',
        description:
          'Every filter given narrows the feed. `match` is a URL-encoded JSON object the event data must contain (PostgreSQL jsonb `@>` rules on both stores), for example `{"customer":{"tier":"vip"}}`. `since`/`until` bound createdAt (until exclusive).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', maxLength: 512 },
            type: { type: 'string', maxLength: 128 },
            typePrefix: { type: 'string', minLength: 1, maxLength: 128 },
            id: { type: 'string', minLength: 1, maxLength: 128 },
            idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
            tenant: { type: 'string', maxLength: 128 },
            since: isoDate,
            until: isoDate,
            match: { type: 'string', minLength: 2, maxLength: MATCH_MAX_LENGTH },
            limit: pageQueryProps.limit,
            wait: { type: 'number', minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0 },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as EventSearchQuery;
      const afterSeq = q.after === undefined ? 0 : decodeSeqCursor(q.after);
      const search = eventSearchOf(principalOf(request), q);
      const read = () => ctx.store.listEventsFeed({ ...search, afterSeq, limit: q.limit });
      let events = await read();
      if (events.length === 0 && q.wait > 0) events = await waitForEvents(ctx, reply, q.wait * 1000, read);
      const last = events[events.length - 1];
      return {
        data: events.map(renderEvent),
        nextCursor: encodeSeqCursor(last ? last.seq : afterSeq),
        done: events.length < q.limit,
      };
    },
  );

  app.get('/v1/events/:id', { schema: { response: responses({ 200: EventModel }), tags: ['events'], summary: 'Get one event', params: idParams() } }, async (request) => {
    const { id } = request.params as { id: string };
    const event = await ctx.store.getEvent(id, tenantFilter(principalOf(request)));
    if (!event) throw new HookdError('not_found', `No event ${id}.`);
    return renderEvent(event);
  });

  app.get(
    '/v1/events/:id/deliveries',
    { schema: { response: responses({ 200: DeliveryPageModel }), tags: ['events'], summary: "An event's deliveries", params: idParams(), querystring: { type: 'object', additionalProperties: false, properties: pageQueryProps } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { limit: number; cursor?: string };
      const tenant = tenantFilter(principalOf(request));
      const event = await ctx.store.getEvent(id, tenant);
      if (!event) throw new HookdError('not_found', `No event ${id}.`);
      const page = await ctx.store.listDeliveries({ tenant, eventId: id }, { limit: q.limit, cursor: openCursor('deliveries', q.cursor) });
      return { data: page.data.map(renderDelivery), nextCursor: sealCursor('deliveries', page.nextCursor) };
    },
  );
}

/**
 * Long-poll: resolve when an event is published (in this process: at once, via the bus) or, for
 * publishes by other processes, at the next periodic re-read; give up when the wait ends or the
 * client goes away.
 */
async function waitForEvents<T>(ctx: ApiContext, reply: FastifyReply, waitMs: number, read: () => Promise<T[]>): Promise<T[]> {
  const deadline = ctx.now() + waitMs;
  // The response's 'close' before it was sent means the client went away.
  let gone = false;
  reply.raw.once('close', () => (gone = true));
  // A stopping server answers at once with what the feed has (the normal empty page when nothing
  // came): the client polls again, the next server answers.
  let stopping = false;
  while (ctx.now() < deadline && !gone && !stopping && !ctx.shutdown?.closing) {
    const remaining = deadline - ctx.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(remaining, ctx.store.capabilities.crossProcessNotify ? 1000 : 500));
      const off = ctx.bus.on('feed.changed', done);
      reply.raw.once('close', done);
      const unregister = ctx.shutdown?.onClose(() => {
        stopping = true;
        done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        unregister?.();
        reply.raw.off('close', done);
        resolve();
      }
    });
    if (stopping) return [];
    const events = await read();
    if (events.length > 0) return events;
  }
  return [];
}
