// Liveness (cheap: the process answers, nothing else is touched) and readiness (the database
// answers; where this process delivers, the dispatcher loop runs and results are written:
// observability/readiness.ts).

import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { problemOf, sendProblem } from '../problem.js';
import { createReadiness } from '../../observability/readiness.js';
import { HealthModel, ReadyModel } from '../../wire/index.js';
import { responses } from '../responses.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const readiness = ctx.readiness ?? createReadiness({ store: ctx.store, dispatcher: null, stallMs: Number.POSITIVE_INFINITY, now: ctx.now });
  // `service` lets a client tell hookd from whatever else answers at a URL (the CLI checks it before
  // trusting any answer: a wrong HOOKD_URL must say so, not fail on an unexpected body).
  app.get('/healthz', { schema: { response: responses({ 200: HealthModel }), tags: ['health'], summary: 'Liveness', security: [] } }, async () => ({ status: 'ok', service: 'hookd', version: ctx.version }));
  app.get('/readyz', { schema: { response: responses({ 200: ReadyModel }), tags: ['health'], summary: 'Readiness: the database answers and the dispatcher is healthy', security: [] } }, async (request, reply) => {
    const report = await readiness.check();
    if (report.ready) return { status: 'ready', database: ctx.store.dialect, checks: report.checks };
    const failed = Object.entries(report.checks).filter(([, c]) => c.status === 'fail');
    request.log.warn({ checks: report.checks }, 'readiness check failed');
    const detail = failed.map(([name, c]) => `${name}: ${c.detail ?? 'failed'}`).join(' ');
    return sendProblem(reply, request, problemOf('service_unavailable', detail, undefined, { retryAfter: 5, checks: report.checks }));
  });
}
