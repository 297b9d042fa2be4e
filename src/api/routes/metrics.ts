// GET /metrics in the Prometheus text format. Outside /v1 (no API key); with HOOKD_METRICS_TOKEN set
// it requires `Authorization: Bearer <token>`, compared in constant time.

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { problemOf, sendProblem } from '../problem.js';
import { safeEqual } from '../../signature/constant-time.js';
import type { Metrics } from '../../observability/metrics.js';

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format 0.0.4); bearer token required when HOOKD_METRICS_TOKEN is set',
        security: token ? [{ apiKey: [] }] : [],
      },
    },
    async (request, reply) => {
      if (token) {
        const given = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() ?? '';
        // Hashing first keeps the comparison constant-time in the token's length too.
        if (!safeEqual(sha256(given), sha256(token))) {
          void reply.header('www-authenticate', 'Bearer realm="metrics"');
          return sendProblem(reply, request, problemOf('unauthorized', 'GET /metrics requires Authorization: Bearer <HOOKD_METRICS_TOKEN>.'));
        }
      }
      const body = await metrics.render();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
    },
  );
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
