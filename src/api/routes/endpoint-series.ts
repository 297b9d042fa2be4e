// GET /v1/endpoints/{id}/series: the endpoint's attempts over time (volume, error rate, p95 latency)
// for its page's charts. Aggregated by the store per time bucket; every bucket of the window is
// present (zeros where nothing happened) so a chart needs no gap logic. Tenant keys see only their
// own endpoints (another tenant's is a 404, as everywhere).

import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { bucketSecondsFor } from '../../core/time-buckets.js';
import type { ApiContext } from '../context.js';
import { tenantFilter, principalOf } from '../auth.js';
import { iso } from '../render.js';
import { idParams } from '../schemas/common.js';
import { EndpointSeriesModel } from '../../wire/index.js';
import { responses } from '../responses.js';

export const MAX_SERIES_HOURS = 720;

export function registerEndpointSeriesRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/endpoints/:id/series',
    {
      schema: {
        response: responses({ 200: EndpointSeriesModel }),
        tags: ['endpoints'],
        summary: 'Attempts over time: volume, error rate and p95 latency per time bucket',
        params: idParams(),
        querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: MAX_SERIES_HOURS, default: 24 } } },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { hours } = request.query as { hours: number };
      const endpoint = await ctx.store.getEndpoint(id, tenantFilter(principalOf(request)));
      if (!endpoint) throw new HookdError('not_found', `No endpoint ${id}.`);
      const bucketMs = bucketSecondsFor(hours) * 1000;
      const now = ctx.now();
      // Aligned to the bucket length, so the same window asked twice has the same bucket edges.
      const until = Math.floor(now / bucketMs) * bucketMs + bucketMs;
      const since = until - Math.ceil((hours * 3_600_000) / bucketMs) * bucketMs;
      const found = new Map((await ctx.store.endpointSeries(endpoint.id, since, until, bucketMs)).map((b) => [b.start, b]));
      const buckets = [];
      for (let start = since; start < until; start += bucketMs) {
        const b = found.get(start);
        buckets.push({ start: iso(start), attempts: b?.attempts ?? 0, failed: b?.failed ?? 0, errorRate: b && b.attempts > 0 ? b.failed / b.attempts : null, p95: b?.p95 ?? null });
      }
      return { endpointId: endpoint.id, since: iso(since), until: iso(until), bucketSeconds: bucketMs / 1000, buckets };
    },
  );
}
