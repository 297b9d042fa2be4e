// The doctor's API: POST /v1/endpoints/:id/diagnose, POST /v1/diagnose and POST /v1/diagnose/payload.
// Thin: validate, load (tenant-filtered), run the library, return the report. A report is an answer,
// not an error: a failing diagnosis is 200 with ok: false.
//
// The composition root passes the delivery path's own SSRF policy, sender and auth provider, so a
// probe and an attempt see the same network and get the same codes.

import type { FastifyInstance } from 'fastify';
import { HookdError } from '../core/errors.js';
import type { EndpointAuth } from '../core/types.js';
import { principalOf, tenantFilter } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import { checkAuthHeaders } from '../api/header-fields.js';
import { idParams } from '../api/schemas/common.js';
import { authSchema } from '../api/schemas/endpoint.js';
import type { DoctorDeps } from './doctor-deps.js';
import { runDoctor, runPayloadDoctor } from './run-doctor.js';
import { DoctorReportModel } from '../wire/index.js';
import { responses } from '../api/responses.js';


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

export function registerDoctorRoutes(app: FastifyInstance, ctx: ApiContext, deps: DoctorDeps): void {
  app.post(
    '/v1/endpoints/:id/diagnose',
    {
      schema: {
        response: responses({ 200: DoctorReportModel }),
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
    { schema: { response: responses({ 200: DoctorReportModel }), tags: ['doctor'], summary: 'Run the doctor on an ad-hoc URL (the SSRF policy applies)', body: diagnoseBody } },
    async (request) => {
      const body = request.body as { url: string; auth?: EndpointAuth; method?: 'POST'; timeoutMs?: number };
      checkAuthHeaders(body.auth);
      return runDoctor(deps, { url: body.url, auth: body.auth, method: body.method, timeoutMs: body.timeoutMs });
    },
  );

  app.post(
    '/v1/diagnose/payload',
    { schema: { response: responses({ 200: DoctorReportModel }), tags: ['doctor'], summary: "Check a payload: JSON syntax with line and column, then the event type's schema", body: payloadBody } },
    async (request) => {
      const body = request.body as { payload: string; type?: string };
      return runPayloadDoctor(deps, { text: body.payload, type: body.type });
    },
  );
}
