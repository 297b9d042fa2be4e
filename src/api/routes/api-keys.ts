// API keys (admin only): create (the key is shown once), list, revoke.

import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { ApiContext } from '../context.js';
import { generateApiKey, hashApiKey } from '../api-keys.js';
import { principalOf, requireAdmin } from '../auth.js';
import { iso, renderApiKey } from '../render.js';
import { idParams, pageQueryProps, tenantSchema } from '../schemas/common.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { ApiKeyCreatedModel, ApiKeyPageModel } from '../../wire/index.js';
import { responses, NoContent } from '../responses.js';


export function registerApiKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/v1/api-keys',
    { schema: { response: responses({ 201: ApiKeyCreatedModel }), tags: ['api-keys'], summary: 'Create an API key (admin); with tenant it is scoped to that tenant', body: { type: ['object', 'null'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 256 }, tenant: tenantSchema } } } },
    async (request, reply) => {
      requireAdmin(principalOf(request));
      const body = (request.body ?? {}) as { name?: string; tenant?: string | null };
      const key = generateApiKey();
      const tenant = body.tenant ?? null;
      const record = { id: newId('apiKey'), name: body.name ?? null, role: tenant ? ('tenant' as const) : ('admin' as const), tenant, hash: hashApiKey(key), prefix: key.slice(0, 10), createdAt: ctx.now(), revokedAt: null, lastUsedAt: null };
      await ctx.store.insertApiKey(record);
      return reply.code(201).send({ id: record.id, key, name: record.name, role: record.role, tenant, createdAt: iso(record.createdAt) });
    },
  );

  app.get('/v1/api-keys', { schema: { response: responses({ 200: ApiKeyPageModel }), tags: ['api-keys'], summary: 'List API keys (admin)', querystring: { type: 'object', additionalProperties: false, properties: pageQueryProps } } }, async (request) => {
    requireAdmin(principalOf(request));
    const q = request.query as { limit: number; cursor?: string };
    const page = await ctx.store.listApiKeys({ limit: q.limit, cursor: openCursor('api-keys', q.cursor) });
    return { data: page.data.map(renderApiKey), nextCursor: sealCursor('api-keys', page.nextCursor) };
  });

  app.delete('/v1/api-keys/:id', { schema: { response: responses({ 204: NoContent }), tags: ['api-keys'], summary: 'Revoke an API key (admin); effective at once', params: idParams() } }, async (request, reply) => {
    requireAdmin(principalOf(request));
    const { id } = request.params as { id: string };
    if (!(await ctx.store.revokeApiKey(id, ctx.now()))) throw new HookdError('not_found', `No active API key ${id}.`);
    app.authenticator.invalidate();
    return reply.code(204).send();
  });
}
