// `POST /in/{sourceId}`: the public ingress. Order: source -> IP allowlist (before reading a byte) ->
// body within the cap (413) -> content type (415) -> verification over the raw bytes (401) -> JSON
// (400) -> event type and schema (400/422) -> log + dedupe + publish in one transaction -> 202.
//
// Every request to a known source is written to its request log, accepted or not, with the reason.
// An unknown source is a bare 404: there is nothing to log it under, and logging it anywhere would let
// anyone fill the database.
//
// Why the body is read by hand: the app's JSON parser would buffer up to the global limit and parse
// before verification. This route lives in an encapsulated plugin whose only content-type parser
// leaves the stream alone, and the handler reads it with the source's own cap.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorCode } from '../core/error-codes.js';
import { HookdError, type FieldError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { DUPLICATE_STATUS, type InboundRequest, type InboundVerdict, type Source } from '../core/inbound-types.js';
import type { ApiContext } from '../api/context.js';
import type { PublishInput } from '../delivery/publisher.js';
import { problemOf, sendProblem } from '../api/problem.js';
import { checkAllowlist, clientAddress, parseCidrList, type Cidr } from './client-ip.js';
import { checkIngress } from './ingress-checks.js';
import { readBody } from './read-body.js';
import { logBody, redactHeaders } from './redact-inbound.js';

export interface IngressOptions {
  /** Peers whose X-Forwarded-For is believed (load balancers, reverse proxies). */
  trustedProxies: readonly Cidr[];
}

interface Rejection {
  code: ApiErrorCode;
  reason: string;
  errors?: FieldError[] | undefined;
  extra?: Record<string, unknown> | undefined;
}

/** The Content-Type header, moved aside before fastify's own media-type handling can answer 415. */
const contentTypes = new WeakMap<object, string | undefined>();

export async function registerIngressRoute(app: FastifyInstance, ctx: ApiContext, options: IngressOptions): Promise<void> {
  await app.register(async (scope) => {
    // Fastify answers a malformed Content-Type with its own 415 before any handler runs, and such a
    // request would then be missing from the log. The header is taken aside here and checked by us.
    scope.addHook('onRequest', async (request) => {
      contentTypes.set(request.raw, single(request.headers['content-type']));
      delete request.headers['content-type'];
    });
    scope.removeAllContentTypeParsers();
    // Leaves the body stream untouched for the handler (no buffering, no global body limit).
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    scope.post(
      '/in/:sourceId',
      {
        schema: {
          tags: ['sources'],
          summary: "Public ingress of a source (no API key: the source's own verification applies)",
          security: [],
          params: { type: 'object', required: ['sourceId'], properties: { sourceId: { type: 'string', minLength: 1, maxLength: 128 } } },
        },
      },
      async (request, reply) => handleIngress(ctx, options, request, reply),
    );
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

async function handleIngress(ctx: ApiContext, options: IngressOptions, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { sourceId } = request.params as { sourceId: string };
  const source = isId('source', sourceId) ? await ctx.store.getSource(sourceId, undefined) : null;
  if (source === null) throw new HookdError('not_found', `No source ${sourceId}.`);

  const receivedAt = ctx.now();
  const contentType = contentTypes.get(request.raw);
  const headers: Record<string, string | string[] | undefined> = { ...request.headers, ...(contentType !== undefined ? { 'content-type': contentType } : {}) };
  const client = clientAddress(request.raw.socket?.remoteAddress, single(headers['x-forwarded-for']), options.trustedProxies);
  const entry = (verdict: InboundVerdict, status: number, body: Buffer | null, rejection: Rejection | null): InboundRequest => ({
    id: newId('inboundRequest'),
    sourceId: source.id,
    tenant: source.tenant,
    receivedAt,
    verdict,
    code: rejection?.code ?? null,
    reason: rejection?.reason ?? null,
    status,
    remoteAddress: client,
    headers: redactHeaders(headers, source.verify),
    body: logBody(body),
    dedupeKey: null,
    eventId: null,
  });
  const reject = async (rejection: Rejection, body: Buffer | null): Promise<FastifyReply> => {
    const logged = entry('rejected', problemOf(rejection.code).status, body, rejection);
    try {
      await ctx.store.recordInbound(logged, null);
    } catch (err) {
      // The caller still gets its 4xx: failing to log a refusal must not turn it into a 5xx that the
      // provider would retry.
      request.log.error({ err, sourceId: source.id }, 'could not record a rejected inbound request');
    }
    return sendProblem(reply, request, problemOf(rejection.code, rejection.reason, rejection.errors, { ...rejection.extra, inboundRequestId: logged.id }));
  };

  // Before reading the body: a refused peer cannot make us buffer anything.
  let allowIps: Cidr[] | null;
  try {
    allowIps = source.allowIps === null ? null : parseCidrList(source.allowIps);
  } catch {
    // Validated at creation; an unparsable stored entry fails closed.
    void reply.header('connection', 'close');
    return reject({ code: 'ip_not_allowed', reason: "The source's allowIps cannot be read; fix the source." }, null);
  }
  const ip = checkAllowlist(client, allowIps);
  if (!ip.ok) {
    // The body stays unread; closing keeps node from draining it to reuse the connection.
    void reply.header('connection', 'close');
    return reject({ code: 'ip_not_allowed', reason: ip.reason }, null);
  }

  const limit = source.maxBodyBytes ?? ctx.config.maxBodyBytes;
  const read = await readBody(request.raw, limit, single(request.headers['content-length']));
  if (!read.ok) {
    // Nobody may be left to read the answer, but the log still shows the attempt.
    if (read.kind === 'aborted') return reject({ code: 'validation_failed', reason: 'The client closed the connection (or the stream failed) before the body ended.' }, null);
    // Stop reading: close the connection after the answer instead of draining the rest.
    void reply.header('connection', 'close');
    const size = read.declared === null ? `more than ${limit} bytes` : `${read.declared} bytes`;
    return reject({ code: 'payload_too_large', reason: `The body (${size}) exceeds this source's limit of ${limit} bytes.` }, read.prefix.length > 0 ? read.prefix : null);
  }
  const body = read.body;

  const check = checkIngress(source, { headers, contentType, body, now: receivedAt });
  if (!check.ok) return reject(check, body);

  const input: PublishInput = { type: check.type, data: check.data, payload: check.payload, tenant: source.tenant, idempotencyKey: null, rawBody: body, sourceId: source.id, orderingKey: check.orderingKey };
  try {
    await ctx.publisher.validate(input);
  } catch (err) {
    if (err instanceof HookdError) return reject({ code: err.code, reason: err.message, errors: err.errors }, body);
    throw err;
  }

  return accept(ctx, reply, { ...entry('accepted', 202, body, null), reason: `Verified (${source.verify.scheme}); event type ${check.type}.`, dedupeKey: check.dedupeKey }, source, input);
}

async function accept(
  ctx: ApiContext,
  reply: FastifyReply,
  logged: InboundRequest,
  source: Source,
  input: PublishInput,
): Promise<FastifyReply> {
  // One transaction: the log row, the dedupe decision, the event and its deliveries. If it fails the
  // provider gets a 5xx (503 when the database is down) and retries; nothing was half-written.
  const result = await ctx.publisher.publishInbound(logged, input);
  if (result.duplicateOf !== null) {
    // A provider retry of a delivery we already have: acknowledged, not re-processed.
    return reply.code(DUPLICATE_STATUS).send({ id: result.request.id, eventId: result.request.eventId, duplicate: true, duplicateOf: result.duplicateOf });
  }
  const publish = result.publish;
  return reply.code(202).send({
    id: result.request.id,
    eventId: result.request.eventId,
    type: input.type,
    sourceId: source.id,
    deliveries: publish !== null && publish.kind !== 'conflict' ? publish.deliveries : 0,
  });
}
