// Adapter for Fastify 5.
//
//   await app.register(fastifyPlugin, { receiver, handler, prefix: '/webhooks' });
//
// The plugin is deliberately NOT wrapped in fastify-plugin: its "every body as a Buffer" parser must
// stay encapsulated in its own context, or it would replace JSON parsing for the whole app. Inside,
// the default parsers are removed and a catch-all `parseAs: 'buffer'` parser keeps the exact bytes.
// Fastify enforces `bodyLimit` itself while streaming and answers 413.
//
// `fastifyHandler` is the bare route handler for apps that register their own raw-body parser.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedWebhook, WebhookReceiver } from './create-receiver.js';
import { DEFAULT_MAX_BODY_BYTES } from './read-body.js';
import { defaultOnError, encodingAnswer, handleDelivery, type HandlerOptions, type HttpAnswer } from './handle-delivery.js';

export type FastifyWebhookHandler = (event: VerifiedWebhook, request: FastifyRequest) => unknown;

export interface FastifyWebhookOptions extends HandlerOptions {
  receiver: WebhookReceiver;
  handler: FastifyWebhookHandler;
  /** Route path inside the plugin's prefix. Default '/'. */
  path?: string;
}

async function sendReply(reply: FastifyReply, answer: HttpAnswer): Promise<void> {
  if (reply.sent) return;
  reply.code(answer.status);
  if (answer.headers !== undefined) reply.headers(answer.headers);
  await (answer.body === undefined ? reply.send() : reply.send(answer.body));
}

export function fastifyHandler(
  receiver: WebhookReceiver,
  handler: FastifyWebhookHandler,
  options: HandlerOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const onError = options.onError ?? defaultOnError;
  const respond = options.respond ?? 'after-handler';
  return async (request, reply) => {
    const refused = encodingAnswer(request.headers['content-encoding']);
    if (refused !== null) return sendReply(reply, refused);
    const body: unknown = request.body ?? Buffer.alloc(0);
    if (!Buffer.isBuffer(body) && typeof body !== 'string') {
      onError(new Error('hookd/receiver: the body was parsed before verification; use fastifyPlugin or a parseAs: "buffer" content-type parser.'), undefined);
      return sendReply(reply, { status: 500, body: { code: 'internal_error', message: 'The webhook could not be processed.' } });
    }
    await handleDelivery({
      receiver,
      rawBody: body,
      headers: request.headers,
      runHandler: (event) => handler(event, request),
      answer: (answer) => sendReply(reply, answer),
      respond,
      onError,
    });
  };
}

export const fastifyPlugin: FastifyPluginAsync<FastifyWebhookOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(options.path ?? '/', { bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }, fastifyHandler(options.receiver, options.handler, options));
};
