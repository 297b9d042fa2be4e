// Server-sent events of new events, attempts and endpoint state changes, filtered by tenant. Feeds
// the dashboard and `hookd tail`. A comment line every 15 s keeps proxies from closing idle streams.

import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { iso } from '../render.js';

export const HEARTBEAT_MS = 15_000;
/** The last message of a stream the server ends because it is stopping. */
export const SHUTDOWN_MESSAGE = 'retry: 1000\nevent: shutdown\ndata: {"reason":"server shutting down","reconnect":true}\n\n';

export function registerStreamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/stream',
    { schema: { tags: ['stream'], summary: 'Server-sent events: event.published, attempt.recorded, endpoint.state', querystring: { type: 'object', additionalProperties: false, properties: { topics: { type: 'string', maxLength: 256 } } } } },
    (request, reply) => {
      const principal = request.principal!;
      const q = request.query as { topics?: string };
      const wanted = new Set((q.topics ?? 'event.published,attempt.recorded,endpoint.state').split(',').map((t) => t.trim()));
      const visible = (tenant: string | null): boolean => principal.role === 'admin' || tenant === principal.tenant;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
      res.write(': connected\n\n');
      const send = (topic: string, data: Record<string, unknown>): void => {
        if (!res.writableEnded) res.write(`event: ${topic}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const offs: Array<() => void> = [];
      if (wanted.has('event.published')) offs.push(ctx.bus.on('event.published', (m) => visible(m.tenant) && send('event.published', { ...m, createdAt: iso(m.createdAt) })));
      if (wanted.has('attempt.recorded')) offs.push(ctx.bus.on('attempt.recorded', (m) => visible(m.tenant) && send('attempt.recorded', { ...m, createdAt: iso(m.createdAt) })));
      if (wanted.has('endpoint.state')) offs.push(ctx.bus.on('endpoint.state', (m) => visible(m.tenant) && send('endpoint.state', m)));
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      // On shutdown: say so (and how soon to come back), then end; tail and the dashboard reconnect.
      const unregister = ctx.shutdown?.onClose(() => {
        if (!res.writableEnded) res.end(SHUTDOWN_MESSAGE);
      });
      res.on('close', () => {
        unregister?.();
        clearInterval(heartbeat);
        for (const off of offs) off();
      });
    },
  );
}
