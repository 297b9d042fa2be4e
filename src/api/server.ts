// Builds the Fastify application: JSON parsing with precise errors, problem+json everywhere, API key
// authentication, per-key rate limits, OpenAPI generated from the route schemas, then the routes.

import { registerAuditHook } from './audit-routes.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerAlertChannelRoutes } from './routes/alert-channels.js';
import { registerAlertRuleRoutes } from './routes/alert-rules.js';
import { registerAuditRoutes } from './routes/audit.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { HookdError } from '../core/errors.js';
import { lineColumn, parseJson } from '../core/json-syntax.js';
import { firstInvalidUtf8 } from '../core/utf8.js';
import { refuseNul } from './text-guard.js';
import type { ApiContext } from './context.js';
import { checkPortalBody, checkPortalRoute } from './portal-route-table.js';
import { createAuthenticator, requiresApiKey, type Authenticator } from './auth.js';
import { problemOf, sendProblem, toProblem } from './problem.js';
import { createRateLimiter } from './rate-limit.js';
import { installResponseModels } from './responses.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerEventRoutes } from './routes/events.js';
import { registerBulkRetryRoutes } from './routes/bulk-retries.js';
import { registerEndpointSeriesRoutes } from './routes/endpoint-series.js';
import { registerEndpointRoutes } from './routes/endpoints.js';
import { registerRoutingRoutes } from './routes/routing.js';
import { registerEndpointOrderingRoutes } from './routes/endpoint-ordering.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerEventTypeRoutes } from './routes/event-types.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';
import { registerStreamRoutes } from './routes/stream.js';
import { registerSigningKeyRoutes } from './routes/signing-keys.js';
import { registerObservabilityHooks } from './observability-hooks.js';
import { createLogThrottle } from '../observability/log-throttle.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { createNodeServer } from './node-server.js';
import { lazyChildLogger } from './lazy-request-logger.js';

const addFormats = addFormatsModule.default;

declare module 'fastify' {
  interface FastifyRequest {
    rawBody: Buffer | null;
    /** The JSON body as decoded text (set with rawBody by the JSON parser), so it is decoded once. */
    bodyText: string | null;
  }
  interface FastifyInstance {
    hookd: ApiContext;
    authenticator: Authenticator;
  }
}

export const MAX_URL_LENGTH = 8192;

/** Extra route registrations from other modules (inbound, doctor, dashboard), given the same context. */
export type RouteModule = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>;

export interface BuildOptions {
  /** A pino logger instance shared with the rest of the runtime (request logs become its children). */
  logger?: FastifyBaseLogger | undefined;
  https?: { cert: string | Buffer; key: string | Buffer } | undefined;
  modules?: RouteModule[] | undefined;
}

/** Where a route's body carries event data (stored as JSON text, so U+0000 is fine there). */
function eventDataExemption(route: string | undefined): ((pointer: string) => boolean) | undefined {
  if (route === '/v1/events' || route === '/v1/endpoints/:id/test') return (pointer) => pointer === '/body/data';
  if (route === '/v1/events/batch') return (pointer) => /^\/body\/events\/\d+\/data$/.test(pointer);
  return undefined;
}

export async function buildApp(ctx: ApiContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    serverFactory: (handler) => createNodeServer(handler, ctx.config, options.https),
    bodyLimit: ctx.config.maxBodyBytes,
    routerOptions: { maxParamLength: 256 },
    requestIdHeader: 'x-request-id',
    // Every line of a request carries `requestId` (docs/observability.md); access lines are written
    // by observability/http-hooks.ts at debug, not by Fastify at info.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // The request's child logger is made when the request first logs (lazy-request-logger.ts).
    childLoggerFactory: lazyChildLogger,
    return503OnClosing: true,
  } as FastifyServerOptions);

  // Bodies are validated strictly (a string "5" is not the number 5, unknown fields are refused);
  // query strings and path params arrive as text, so those coerce.
  const bodyAjv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false, discriminator: true });
  const paramAjv = new Ajv({ allErrors: true, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  addFormats(bodyAjv);
  addFormats(paramAjv);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv.compile(schema) : paramAjv.compile(schema)));
  installResponseModels(app, ctx.config.validateResponses);

  app.decorate('hookd', ctx);
  app.decorate('authenticator', createAuthenticator(ctx.store, ctx.adminKeyHash, ctx.now, ctx.portalKey));
  app.decorateRequest('principal', null);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('bodyText', null);

  // Replace Fastify's JSON parser: ours keeps the raw bytes and reports line and column. The API takes
  // JSON only: without its text/plain parser Fastify answers any other media type 415 (spec section 3)
  // before validation could call a text body a 400.
  app.removeContentTypeParser('application/json');
  app.removeContentTypeParser('text/plain');
  const parseJsonBody = (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    const buffer = body as Buffer;
    request.rawBody = buffer;
    if (buffer.length === 0) {
      done(new HookdError('invalid_json', 'The body is empty: expected a JSON value at line 1, column 1.'), undefined);
      return;
    }
    const badByte = firstInvalidUtf8(buffer);
    if (badByte >= 0) {
      const before = buffer.subarray(0, badByte).toString('utf8');
      const { line, column } = lineColumn(before, before.length);
      done(new HookdError('invalid_json', `The body is not valid UTF-8: invalid byte 0x${buffer[badByte]!.toString(16).padStart(2, '0')} at line ${line}, column ${column} (byte ${badByte}).`, { extra: { line, column } }), undefined);
      return;
    }
    const text = buffer.toString('utf8');
    request.bodyText = text;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      done(new HookdError('invalid_json', `Malformed JSON: ${parsed.error.message}.`, { extra: { line: parsed.error.line, column: parsed.error.column } }), undefined);
      return;
    }
    done(null, parsed.value);
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
  app.addContentTypeParser(/^application\/[\w.+-]+\+json$/i, { parseAs: 'buffer' }, parseJsonBody);

  const outageLog = createLogThrottle(5_000);
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.code !== 'service_unavailable') request.log.error({ err: error }, 'request failed');
    else if (problem.code === 'service_unavailable') {
      outageLog.hit((suppressed) => request.log.warn({ err: (error as Error).message, suppressed }, 'database unavailable'));
    }
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, problemOf('route_not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`)));

  const limiter = createRateLimiter(ctx.config.apiRateLimit);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (request.url.length > MAX_URL_LENGTH) throw new HookdError('uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters.`);
    // Decided on the route the router matched, never on the raw URL: `/%761/...`, an absolute-form
    // target or any other spelling that reaches a /v1 handler needs a key just the same. An unmatched
    // URL has no route (404) and runs no handler.
    if (!requiresApiKey(request)) return;
    request.principal = await app.authenticator.authenticate(request);
    // A portal session may call only the routes its link's capabilities allow (fail closed).
    checkPortalRoute(request, request.principal);
    const wait = limiter.take(request.principal.keyId, ctx.now());
    if (wait > 0) throw new HookdError('rate_limited', `Too many requests for this API key; retry in ${wait} s.`, { extra: { retryAfter: wait } });
  });

  // Once the body is parsed: an endpoint change that sets a filter or transform needs more.
  app.addHook('preHandler', async (request) => checkPortalBody(request, request.principal));

  // Before validation, so that a NUL in any field is named as such rather than failing in the store.
  app.addHook('preValidation', async (request) => {
    // A request bin's capture URL stores the URL as raw text and parses nothing: a %00 in its query is
    // something to look at, not to refuse.
    if (request.routeOptions.url?.startsWith('/bin/')) return;
    refuseNul(request.params, '/params');
    refuseNul(request.query, '/query');
    // JSON escapes a NUL as \u0000 (always a lower-case u), so a body without that sequence needs no walk.
    if (request.rawBody && request.rawBody.includes('\\u0000')) refuseNul(request.body, '/body', eventDataExemption(request.routeOptions.url));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'hookd API', version: ctx.version, description: 'Webhooks: publish, deliver, receive, pull and diagnose.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerObservabilityHooks(app, ctx);
  registerAuditHook(app, ctx.now, () => ctx.store);
  registerAuditRoutes(app, ctx);
  registerAlertRoutes(app, ctx);
  registerAlertChannelRoutes(app, ctx);
  registerAlertRuleRoutes(app, ctx);

  registerHealthRoutes(app, ctx);
  if (ctx.metrics) registerMetricsRoute(app, ctx.metrics, ctx.config.metricsToken);
  registerEventRoutes(app, ctx);
  registerEndpointRoutes(app, ctx);
  registerRoutingRoutes(app, ctx);
  registerEndpointOrderingRoutes(app, ctx);
  registerEndpointSeriesRoutes(app, ctx);
  registerBulkRetryRoutes(app, ctx);
  registerDeliveryRoutes(app, ctx);
  registerEventTypeRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerStreamRoutes(app, ctx);
  registerSigningKeyRoutes(app, ctx);
  for (const mod of options.modules ?? []) await mod(app, ctx);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
