// Request-level observability for the Fastify app: one debug line per request (with its request id,
// from X-Request-Id or generated, which every log line of the request carries as `requestId`), and a
// `hookd.inbound` span around each ingress request, active while the handler runs so that the
// publish span of the event it creates is its child.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { context, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { ApiContext } from './context.js';

const INGRESS_ROUTE = '/in/:sourceId';

export function registerObservabilityHooks(app: FastifyInstance, ctx: ApiContext): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  const tracing = ctx.tracing;

  if (tracing?.enabled) {
    // preHandler, not onRequest: the handler runs inside done(), so the span's context reaches it
    // (a context entered in onRequest would be lost across body parsing, which runs on stream events).
    app.addHook('preHandler', (request, _reply, done) => {
      if (request.routeOptions.url !== INGRESS_ROUTE) {
        done();
        return;
      }
      const { sourceId } = request.params as { sourceId?: string };
      const started = tracing.startSpan('hookd.inbound', { 'hookd.source.id': sourceId ?? '', 'http.request.method': request.method, 'http.route': INGRESS_ROUTE, 'hookd.request.id': request.id }, SpanKind.SERVER);
      spans.set(request, started.span);
      context.with(started.context, done);
    });
  }

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    // Requests for an unknown source have nothing to be logged under (see inbound/ingress-route.ts),
    // so the store never sees them; count them here.
    if (request.routeOptions.url === INGRESS_ROUTE && status === 404) ctx.metrics?.inbound('rejected', 'not_found');
    // The line's fields are built only when it is written: at the default level (info) it never is.
    if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ method: request.method, url: request.url.split('?')[0], route: request.routeOptions.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
}
