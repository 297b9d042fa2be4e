// GET /v1/alerts/notifications: the recent alert notifications, newest first. An admin sees every
// tenant's (or one tenant's with ?tenant=); a tenant key sees its tenant's only.

import type { FastifyInstance } from 'fastify';
import type { AlertNotificationRecord } from '../../core/alert-types.js';
import type { ApiContext } from '../context.js';
import { principalOf } from '../auth.js';
import { iso } from '../render.js';
import { tenantFromQuery } from '../tenant-query.js';
import { AlertNotificationListModel, type AlertNotificationView } from '../../wire/index.js';
import { responses } from '../responses.js';

export function renderAlertNotification(n: AlertNotificationRecord): AlertNotificationView {
  return {
    id: n.id,
    rule: n.ruleId,
    subject: { kind: n.subjectKind, id: n.subjectId },
    tenant: n.tenant,
    state: n.state,
    windowStart: iso(n.windowStart),
    summary: n.summary,
    value: n.value,
    threshold: n.threshold,
    createdAt: iso(n.createdAt),
    outcome: n.outcome,
    error: n.error,
  };
}

export function registerAlertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/alerts/notifications',
    {
      schema: {
        response: responses({ 200: AlertNotificationListModel }),
        tags: ['alerts'],
        summary: 'Recent alert notifications, newest first (grouped: one per rule, subject and window)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            tenant: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { limit: number; tenant?: string };
      const rows = await ctx.store.listAlertNotifications(tenantFromQuery(principalOf(request), q.tenant), q.limit);
      return { data: rows.map(renderAlertNotification) };
    },
  );
}
