// GET /v1/audit: the audit log, newest first. An admin sees every record (and may narrow to a
// tenant); a tenant key sees its tenant's only.

import type { FastifyInstance } from 'fastify';
import type { AuditRecord } from '../../core/audit.js';
import type { ApiContext } from '../context.js';
import { principalOf } from '../auth.js';
import { parseTime } from '../cursor.js';
import { iso } from '../render.js';
import { isoDate, pageQueryProps } from '../schemas/common.js';
import { openCursor, sealCursor } from '../page-cursor.js';
import { tenantFromQuery } from '../tenant-query.js';
import { AuditPageModel, type AuditRecordView } from '../../wire/index.js';
import { responses } from '../responses.js';

export function renderAudit(r: AuditRecord): AuditRecordView {
  return {
    id: r.id,
    at: iso(r.at),
    actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
    tenant: r.tenant,
    requestId: r.requestId,
    action: r.action,
    target: r.target,
    diff: r.diff,
  };
}

export function registerAuditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/audit',
    {
      schema: {
        response: responses({ 200: AuditPageModel }),
        tags: ['audit'],
        summary: 'The audit log: who changed what through the API, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProps,
            tenant: { type: 'string', minLength: 1, maxLength: 128 },
            actor: { type: 'string', minLength: 1, maxLength: 128, description: 'An API key id (key_...), key_env_admin or a portal session' },
            action: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$', description: 'An action (endpoint.update) or, ending in a dot, a kind (endpoint.)' },
            target: { type: 'string', minLength: 1, maxLength: 255 },
            since: isoDate,
            until: isoDate,
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { limit: number; cursor?: string; tenant?: string; actor?: string; action?: string; target?: string; since?: string; until?: string };
      const page = await ctx.store.listAudit(
        {
          tenant: tenantFromQuery(principalOf(request), q.tenant),
          actorId: q.actor,
          action: q.action,
          target: q.target,
          since: parseTime(q.since, 'since'),
          until: parseTime(q.until, 'until'),
        },
        { limit: q.limit, cursor: openCursor('audit', q.cursor) },
      );
      return { data: page.data.map(renderAudit), nextCursor: sealCursor('audit', page.nextCursor) };
    },
  );
}
