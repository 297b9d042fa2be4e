// Response models as Fastify response schemas. Three things follow from declaring them on a route:
//
// - /openapi.json documents every answer of the route (success and problem), so hookd/client and any
//   generated client read the same shapes the server writes;
// - with HOOKD_VALIDATE_RESPONSES (on in the test suite) every answer is checked against its model
//   before it is sent, so a field the renderer adds or renames without the model fails the test that
//   provoked it, instead of drifting away from the document;
// - every /v1 route must declare a success model, or the server refuses to start (checked in onRoute).
//
// Serialisation stays ours (serializeWithRawJson): fast-json-stringify, which Fastify would otherwise
// compile from these schemas, silently drops members a schema does not list and would re-encode event
// data, which must leave byte for byte as it was published.

import type { FastifyInstance, RouteOptions } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { ProblemModel } from '../wire/problem.js';
import { serializeWithRawJson } from './raw-json.js';

const addFormats = addFormatsModule.default;

/** A success answer with no body (204). */
export const NoContent = { type: 'null', description: 'No content' } as const;

/** Text bodies (an event stream, metrics) are documented but never validated as JSON. */
export const textBody = (description: string) => ({ type: 'string', description }) as const;

type ResponseMap = Record<number, TSchema | typeof NoContent | ReturnType<typeof textBody>>;

/** `schema.response` for a route: its success models plus the problem document for 4xx and 5xx. */
export function responses(success: ResponseMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, model] of Object.entries(success)) out[status] = model;
  // Problems go out as application/problem+json; Fastify picks this schema by that content type.
  const problem = { description: 'A problem document (RFC 9457): `code` is stable (docs/errors.md).', content: { 'application/problem+json': { schema: ProblemModel } } };
  out['4xx'] = problem;
  out['5xx'] = problem;
  return out;
}

export class ResponseMismatchError extends Error {
  constructor(
    readonly route: string,
    readonly status: string,
    readonly problems: string,
  ) {
    super(`The ${status} answer of ${route} does not match its documented model: ${problems}`);
    this.name = 'ResponseMismatchError';
  }
}

function isJsonModel(schema: Record<string, unknown>): boolean {
  return schema.type !== 'string' && schema.type !== 'null';
}

/**
 * Installs the serializer compiler and the onRoute check. Must run before any route is registered
 * (and before @fastify/swagger, which reads the schemas the check completes).
 */
export function installResponseModels(app: FastifyInstance, validate: boolean): void {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();

  app.setSerializerCompiler(({ schema, url, method, httpStatus }) => {
    const model = schema as Record<string, unknown>;
    if (!validate || !isJsonModel(model)) return (payload: unknown) => serializeWithRawJson(payload);
    let check = compiled.get(model);
    if (!check) {
      check = ajv.compile(model);
      compiled.set(model, check);
    }
    const route = `${method} ${url}`;
    const validator = check;
    return (payload: unknown) => {
      // Validated as the client will read it: RawJson members become their parsed value.
      const text = serializeWithRawJson(payload);
      if (!validator(JSON.parse(text))) {
        const problems = (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
        throw new ResponseMismatchError(route, String(httpStatus), problems);
      }
      return text;
    };
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url ?? '';
    if (!url.startsWith('/v1/') && url !== '/v1') return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const declared = (schema.response ?? {}) as Record<string, unknown>;
    if (!Object.keys(declared).some((status) => /^2\d\d$/.test(status))) {
      throw new Error(`${String(route.method)} ${url} declares no success response model: add schema.response = responses({ 200: Model }) (src/api/responses.ts).`);
    }
  });
}
