// `/bin/{id}` and `/bin/{id}/*`: the public capture URL of a request bin. Any method, any content
// type, the body read raw (never parsed) up to HOOKD_BIN_MAX_BODY_BYTES. No API key: the id is the
// capability (128 random bits). Order: bin (404 unknown, 410 expired) -> per-bin rate limit (429) ->
// body -> store (pruning the bin to its newest N) -> the bin's behaviour (delay, status,
// Retry-After). An oversized body is stored truncated and answered 413.
//
// Like the ingress, the route lives in an encapsulated plugin whose only content-type parser leaves
// the stream alone, and the Content-Type header is moved aside before Fastify can answer 415.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/context.js';
import { problemOf, sendProblem } from '../api/problem.js';
import { createRateLimiter } from '../api/rate-limit.js';
import { binSubpath, type BinRequest } from '../core/bin-types.js';
import { HookdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decideAnswer } from '../core/mock-behaviour.js';
import { isBinId } from './bin-id.js';
import { readCapture } from './read-capture.js';

const contentTypes = new WeakMap<object, string | undefined>();

/** Captures per second allowed per bin (burst of twice that): a bin is a debugging tool, not an ingress. */
export const BIN_CAPTURES_PER_SECOND = 50;

export async function registerCaptureRoute(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const limiter = createRateLimiter(BIN_CAPTURES_PER_SECOND);
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      const ct = request.headers['content-type'];
      contentTypes.set(request.raw, Array.isArray(ct) ? ct.join(', ') : ct);
      delete request.headers['content-type'];
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const schema = {
      tags: ['bins'],
      summary: 'Capture URL of a request bin (no API key: the bin id is the capability)',
      security: [],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } },
    };
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => capture(ctx, limiter, request, reply);
    scope.all('/bin/:id', { schema }, handler);
    scope.all('/bin/:id/*', { schema }, handler);
  });
}

function flatHeaders(headers: FastifyRequest['headers'], contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (contentType !== undefined) out['content-type'] = contentType;
  return out;
}

async function capture(
  ctx: ApiContext,
  limiter: ReturnType<typeof createRateLimiter>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const bin = isBinId(id) ? await ctx.store.getBin(id, undefined) : null;
  if (bin === null) throw new HookdError('not_found', `No bin ${id}.`);
  const now = ctx.now();
  if (bin.expiresAt <= now) throw new HookdError('bin_expired', `Bin ${id} expired at ${new Date(bin.expiresAt).toISOString()}.`);
  const wait = limiter.take(bin.id, now);
  if (wait > 0) {
    void reply.header('connection', 'close');
    throw new HookdError('rate_limited', `Too many requests for this bin; retry in ${wait} s.`, { extra: { retryAfter: wait } });
  }

  const cl = request.headers['content-length'];
  const read = await readCapture(request.raw, ctx.config.binMaxBodyBytes, Array.isArray(cl) ? cl[0] : cl);
  if (!read.ok) return reply.code(400).send();
  const captured: BinRequest = {
    id: newId('binRequest'),
    binId: bin.id,
    method: request.method,
    path: binSubpath(request.url, id),
    headers: flatHeaders(request.headers, contentTypes.get(request.raw)),
    body: read.body,
    size: read.size,
    truncated: read.truncated,
    remoteAddress: request.raw.socket?.remoteAddress ?? null,
    receivedAt: now,
  };
  const count = await ctx.store.recordBinRequest(captured, ctx.config.binMaxRequests);
  if (count === null) throw new HookdError('not_found', `No bin ${id}.`);

  if (read.truncated) {
    // Stop reading: close after the answer instead of draining the rest.
    void reply.header('connection', 'close');
    return sendProblem(reply, request, problemOf('payload_too_large', `The body exceeds this bin's limit of ${ctx.config.binMaxBodyBytes} bytes; it was captured truncated.`, undefined, { binRequestId: captured.id }));
  }
  const answer = decideAnswer(bin.behaviour, count);
  if (answer.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
  void reply.code(answer.status).headers(answer.headers).header('x-hookd-bin-request', captured.id);
  if (bin.responseBody !== null) return reply.type('text/plain; charset=utf-8').send(bin.responseBody);
  return reply.type('application/json').send(JSON.stringify({ bin: bin.id, request: captured.id, status: answer.status }));
}
