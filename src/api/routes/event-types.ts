// The event type catalogue: name, description, JSON Schema 2020-12 and an example.

import { noteAuditChanges } from '../../core/audit.js';
import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { exampleFromSchema } from '../../core/example-from-schema.js';
import type { ApiContext } from '../context.js';
import { principalOf, requireAdmin } from '../auth.js';
import { renderEventType } from '../render.js';
import { pageQueryProps } from '../schemas/common.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { EventTypeModel, EventTypeSampleModel, EventTypePageModel } from '../../wire/index.js';
import { responses, NoContent } from '../responses.js';

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' } } } as const;

export function registerEventTypeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.put(
    '/v1/event-types/:name',
    {
      schema: {
        response: responses({ 200: EventTypeModel, 201: EventTypeModel }),
        tags: ['event-types'],
        summary: 'Create or replace an event type (admin)',
        params: nameParams,
        body: { type: 'object', additionalProperties: false, properties: { description: { type: ['string', 'null'], maxLength: 2048 }, schema: { type: ['object', 'null'] }, example: {} } },
      },
    },
    async (request, reply) => {
      requireAdmin(principalOf(request));
      const { name } = request.params as { name: string };
      const body = request.body as { description?: string | null; schema?: Record<string, unknown> | null; example?: unknown };
      if (body.schema) {
        const errors = ctx.checker.validateSchema(body.schema);
        if (errors.length > 0) throw new HookdError('invalid_schema', `The schema is not a usable JSON Schema 2020-12 document: ${errors.map((e) => e.message).join('; ')}`, { errors: errors.map((e) => ({ path: '/body/schema', message: e.message })) });
        if (body.example !== undefined) {
          const exampleErrors = ctx.checker.check(body.schema, body.example);
          if (exampleErrors.length > 0) throw new HookdError('schema_mismatch', 'The example does not match the schema.', { errors: exampleErrors.map((e) => ({ path: `/body/example${e.path === '/' ? '' : e.path}`, message: e.message })) });
        }
      }
      const existing = await ctx.store.getEventType(name);
      // A replace: the audit record holds each field's value before and after.
      if (existing) noteAuditChanges(renderEventType(existing), { description: body.description ?? null, schema: body.schema ?? null, example: body.example ?? null });
      const now = ctx.now();
      const stored = await ctx.store.putEventType({ name, description: body.description ?? null, schema: body.schema ?? null, example: body.example ?? null, createdAt: existing?.createdAt ?? now, updatedAt: now });
      // The publisher caches the catalogue: publishes after this answer must see the new schema.
      ctx.publisher.eventTypeChanged(name);
      return reply.code(existing ? 200 : 201).send(renderEventType(stored));
    },
  );

  app.get('/v1/event-types', { schema: { response: responses({ 200: EventTypePageModel }), tags: ['event-types'], summary: 'List the catalogue', querystring: { type: 'object', additionalProperties: false, properties: pageQueryProps } } }, async (request) => {
    const q = request.query as { limit: number; cursor?: string };
    const page = await ctx.store.listEventTypes({ limit: q.limit, cursor: openCursor('event-types', q.cursor) });
    return { data: page.data.map(renderEventType), nextCursor: sealCursor('event-types', page.nextCursor) };
  });

  app.get('/v1/event-types/:name', { schema: { response: responses({ 200: EventTypeModel }), tags: ['event-types'], summary: 'Get an event type', params: nameParams } }, async (request) => {
    const { name } = request.params as { name: string };
    const type = await ctx.store.getEventType(name);
    if (!type) throw new HookdError('not_found', `No event type ${name}.`);
    return renderEventType(type);
  });

  // What `hookd trigger` and the dashboard's Trigger button publish: the example, else data generated
  // from the schema, else {}.
  app.get('/v1/event-types/:name/sample', { schema: { response: responses({ 200: EventTypeSampleModel }), tags: ['event-types'], summary: 'Sample data of a type: its example, or one generated from its JSON Schema', params: nameParams } }, async (request) => {
    const { name } = request.params as { name: string };
    const type = await ctx.store.getEventType(name);
    if (!type) throw new HookdError('not_found', `No event type ${name}.`);
    if (type.example !== null && type.example !== undefined) return { type: name, source: 'example', data: type.example };
    if (type.schema) return { type: name, source: 'schema', data: exampleFromSchema(type.schema) };
    return { type: name, source: 'empty', data: {} };
  });

  app.delete('/v1/event-types/:name', { schema: { response: responses({ 204: NoContent }), tags: ['event-types'], summary: 'Delete an event type (admin)', params: nameParams } }, async (request, reply) => {
    requireAdmin(principalOf(request));
    const { name } = request.params as { name: string };
    const deleted = await ctx.store.deleteEventType(name);
    ctx.publisher.eventTypeChanged(name);
    if (!deleted) throw new HookdError('not_found', `No event type ${name}.`);
    return reply.code(204).send();
  });
}
