// The doctor's API: POST /v1/endpoints/:id/diagnose, POST /v1/diagnose and POST /v1/diagnose/payload.
// Thin: validate, load (tenant-filtered), run the library, return the report. A report is an answer,
// not an error: a failing diagnosis is 200 with ok: false.
//
// Decision: ApiContext carries no SSRF policy or sender, so this module builds its own from the same
// config (HOOKD_ALLOW_PRIVATE, connect and default timeouts) and closes the sender with the app. The
// probes therefore apply exactly the policy deliveries apply; the doctor's OAuth2 tokens are fetched
// fresh per run and never shared with the dispatcher's cache.

import type { FastifyInstance } from 'fastify';
import { HookdError } from '../core/errors.js';
import type { EndpointAuth } from '../core/types.js';
import { principalOf, tenantFilter } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import { checkAuthHeaders } from '../api/header-fields.js';
import { idParams } from '../api/schemas/common.js';
import { authSchema } from '../api/schemas/endpoint.js';
import type { RouteModule } from '../api/server.js';
import { createAuthProvider } from '../delivery/endpoint-auth.js';
import { createHttpSender } from '../delivery/http-sender.js';
import { createSsrfPolicy } from '../delivery/ssrf-policy.js';
import type { DoctorDeps } from './doctor-deps.js';
import { runDoctor, runPayloadDoctor } from './run-doctor.js';


const diagnoseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    auth: authSchema,
    method: { type: 'string', enum: ['POST'] },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 60000 },
  },
} as const;

const payloadBody = {
  type: 'object',
  additionalProperties: false,
  required: ['payload'],
  properties: {
    payload: { type: 'string' },
    type: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
  },
} as const;

/** Doctor collaborators built from the API context's configuration. */
export function doctorDepsFromContext(ctx: ApiContext): DoctorDeps & { close(): Promise<void> } {
  const policy = createSsrfPolicy({ allowPrivate: ctx.config.allowPrivate });
  const userAgent = `hookd/${ctx.version}`;
  const sender = createHttpSender({ policy, userAgent });
  return {
    policy,
    sender,
    auth: createAuthProvider({ sender, policy, now: ctx.now }),
    checker: ctx.checker,
    store: ctx.store,
    now: ctx.now,
    connectTimeoutMs: ctx.config.connectTimeoutMs,
    defaultTimeoutMs: ctx.config.defaultTimeoutMs,
    requireHttps: ctx.config.requireHttps,
    userAgent,
    close: () => sender.close(),
  };
}

export function registerDoctorRoutes(app: FastifyInstance, ctx: ApiContext, deps: DoctorDeps): void {
  app.post(
    '/v1/endpoints/:id/diagnose',
    {
      schema: {
        tags: ['doctor'],
        summary: 'Run the doctor on an endpoint: event, address, dns, tcp, tls, http, auth, payload, latency, logs',
        params: idParams(),
        body: { type: ['object', 'null'], additionalProperties: false, properties: {} },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const principal = principalOf(request);
      const endpoint = await ctx.store.getEndpoint(id, tenantFilter(principal));
      if (!endpoint) throw new HookdError('not_found', `No endpoint ${id}.`);
      return runDoctor(deps, { url: endpoint.url, auth: endpoint.auth, timeoutMs: endpoint.timeoutMs, endpoint, seesOtherTenants: principal.role === 'admin' });
    },
  );

  app.post(
    '/v1/diagnose',
    { schema: { tags: ['doctor'], summary: 'Run the doctor on an ad-hoc URL (the SSRF policy applies)', body: diagnoseBody } },
    async (request) => {
      const body = request.body as { url: string; auth?: EndpointAuth; method?: 'POST'; timeoutMs?: number };
      checkAuthHeaders(body.auth);
      return runDoctor(deps, { url: body.url, auth: body.auth, method: body.method, timeoutMs: body.timeoutMs });
    },
  );

  app.post(
    '/v1/diagnose/payload',
    { schema: { tags: ['doctor'], summary: "Check a payload: JSON syntax with line and column, then the event type's schema", body: payloadBody } },
    async (request) => {
      const body = request.body as { payload: string; type?: string };
      return runPayloadDoctor(deps, { text: body.payload, type: body.type });
    },
  );
}

/** The route module the runtime registers (`modules: [doctorRoutes]`). */
export const doctorRoutes: RouteModule = (app, ctx) => {
  const deps = doctorDepsFromContext(ctx);
  app.addHook('onClose', async () => deps.close());
  registerDoctorRoutes(app, ctx, deps);
};
