// Server-sent events of new events, attempts and endpoint state changes, filtered by tenant. Feeds
// the dashboard and `hookd tail`. A comment line every 15 s keeps proxies from closing idle streams.
//
// A stream outlives the request that authorised it, so its key is checked again: at once when a key
// is revoked through this process, every STREAM_REAUTH_MS for revocations made elsewhere (a process
// sees them within its key cache time), and at the expiry of a portal token. A stream whose key no
// longer holds gets an `event: error` with the problem, then the connection ends.

import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HookdError } from '../../core/errors.js';
import { principalOf } from '../auth.js';
import { toProblem } from '../problem.js';
import { iso } from '../render.js';
import {  } from '../../wire/index.js';
import { responses, textBody } from '../responses.js';

export const HEARTBEAT_MS = 15_000;
export const STREAM_REAUTH_MS = 5_000;
/** The last message of a stream the server ends because it is stopping. */
export const SHUTDOWN_MESSAGE = 'retry: 1000\nevent: shutdown\ndata: {"reason":"server shutting down","reconnect":true}\n\n';

export function registerStreamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/stream',
    { schema: { response: responses({ 200: textBody('A text/event-stream of delivery and event notifications (see docs/api.md)') }), tags: ['stream'], summary: 'Server-sent events: event.published, attempt.recorded, endpoint.state', querystring: { type: 'object', additionalProperties: false, properties: { topics: { type: 'string', maxLength: 256 } } } } },
    (request, reply) => {
      const principal = principalOf(request);
      const q = request.query as { topics?: string };
      const wanted = new Set((q.topics ?? 'event.published,attempt.recorded,endpoint.state').split(',').map((t) => t.trim()));
      const visible = (tenant: string | null): boolean => principal.role === 'admin' || tenant === principal.tenant;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
      res.write(': connected\n\n');
      const send = (topic: string, data: unknown): void => {
        if (!res.writableEnded && !res.destroyed) res.write(`event: ${topic}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const offs: Array<() => void> = [];
      if (wanted.has('event.published')) offs.push(ctx.bus.on('event.published', (m) => visible(m.tenant) && send('event.published', { ...m, createdAt: iso(m.createdAt) })));
      if (wanted.has('attempt.recorded')) offs.push(ctx.bus.on('attempt.recorded', (m) => visible(m.tenant) && send('attempt.recorded', { ...m, createdAt: iso(m.createdAt) })));
      if (wanted.has('endpoint.state')) offs.push(ctx.bus.on('endpoint.state', (m) => visible(m.tenant) && send('endpoint.state', m)));

      let closed = false;
      const stop = (): void => {
        if (closed) return;
        closed = true;
        unregister?.();
        for (const off of offs) off();
        clearInterval(heartbeat);
        clearInterval(reauth);
        if (expiry) clearTimeout(expiry);
      };
      const revoke = (error: unknown): void => {
        if (closed) return;
        const problem = toProblem(error);
        send('error', { type: problem.type, title: problem.title, status: problem.status, code: problem.code, detail: problem.detail });
        stop();
        res.end();
      };
      let checking = false;
      const recheck = (): void => {
        if (closed || checking) return;
        checking = true;
        app.authenticator
          .authenticate(request)
          .then((now) => {
            if (now.keyId !== principal.keyId) revoke(new HookdError('unauthorized', 'The credential of this stream changed.'));
          })
          .catch((err: unknown) => {
            // Only a verdict on the key ends the stream; a database hiccup during the check does not.
            if (toProblem(err).status === 401) revoke(err);
          })
          .finally(() => {
            checking = false;
          });
      };
      const heartbeat = setInterval(() => !res.writableEnded && res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const reauth = setInterval(recheck, STREAM_REAUTH_MS);
      reauth.unref();
      offs.push(app.authenticator.onInvalidate(recheck));
      // On shutdown: say so (and how soon to come back), then end; tail and the dashboard reconnect.
      const unregister = ctx.shutdown?.onClose(() => {
        stop();
        if (!res.writableEnded) res.end(SHUTDOWN_MESSAGE);
      });
      const untilExpiry = principal.expiresAt === undefined ? null : principal.expiresAt - ctx.now();
      const expiry = untilExpiry === null ? null : setTimeout(recheck, Math.max(0, Math.min(untilExpiry + 50, 2 ** 31 - 1)));
      expiry?.unref();
      res.on('close', stop);
    },
  );
}
