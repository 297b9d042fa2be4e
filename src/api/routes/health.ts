// Liveness (cheap: the process answers) and readiness (the database answers).

import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { problemOf, sendProblem } from '../problem.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', security: [] } }, async () => ({ status: 'ok', version: ctx.version }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: the database is reachable', security: [] } }, async (request, reply) => {
    try {
      await ctx.store.ping();
      return { status: 'ready', database: ctx.store.dialect };
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'readiness check failed');
      return sendProblem(reply, request, problemOf('service_unavailable', 'The database is unreachable.', undefined, { retryAfter: 5 }));
    }
  });
}
