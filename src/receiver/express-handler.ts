// Adapter for Express (4 or 5) without depending on it: Express's req and res extend node's
// IncomingMessage and ServerResponse, so they are typed structurally through those.
//
//   app.post('/webhooks', express.raw({ type: '*/*' }), expressHandler(receiver, handler));
//   app.post('/webhooks', expressHandler(receiver, handler));   // reads the stream itself
//
// Hazard: a global `express.json()` that ran first has consumed the stream and replaced the bytes
// with a parsed object; verifying `JSON.stringify(req.body)` would break on any spacing or key-order
// difference. That case answers 500 and reports how to fix the middleware order.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedWebhook, WebhookReceiver } from './create-receiver.js';
import { DEFAULT_MAX_BODY_BYTES, payloadTooLarge, readRawBody } from './read-body.js';
import { defaultOnError, encodingAnswer, errorAnswer, handleDelivery, type HandlerOptions } from './handle-delivery.js';
import { sendAnswer } from './send-answer.js';

/** The part of Express's request this adapter uses. */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
}

export type ExpressWebhookHandler<Req extends ExpressLikeRequest = ExpressLikeRequest> = (
  event: VerifiedWebhook,
  req: Req,
) => unknown;

export class RawBodyUnavailableError extends Error {
  constructor() {
    super(
      'hookd/receiver: the request body was already parsed by another middleware (express.json?). ' +
        "Mount express.raw({ type: '*/*' }) on the webhook route, or register the route before the JSON parser.",
    );
    this.name = 'RawBodyUnavailableError';
  }
}

function rawBodyOf(req: ExpressLikeRequest, maxBodyBytes: number): Promise<Buffer | string> {
  if (Buffer.isBuffer(req.body)) {
    // express.raw enforces its own `limit` (default 100 kB); enforce ours too.
    if (req.body.byteLength > maxBodyBytes) return Promise.reject(payloadTooLarge(maxBodyBytes));
    return Promise.resolve(req.body);
  }
  if (typeof req.body === 'string') return Promise.resolve(req.body);
  if (!req.readableEnded) return readRawBody(req, maxBodyBytes);
  return Promise.reject(new RawBodyUnavailableError());
}

export function expressHandler<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  receiver: WebhookReceiver,
  handler: ExpressWebhookHandler<Req>,
  options: HandlerOptions = {},
): (req: Req, res: ServerResponse, next?: (error?: unknown) => void) => void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onError = options.onError ?? defaultOnError;
  const respond = options.respond ?? 'after-handler';

  return (req, res) => {
    if (req.method !== 'POST') {
      sendAnswer(req, res, { status: 405, headers: { allow: 'POST' }, body: { code: 'method_not_allowed', message: 'Use POST.' } });
      return;
    }
    const refused = encodingAnswer(req.headers['content-encoding']);
    if (refused !== null) {
      sendAnswer(req, res, { ...refused, headers: { connection: 'close' } });
      return;
    }
    void rawBodyOf(req, maxBodyBytes).then(
      (rawBody) =>
        handleDelivery({
          receiver,
          rawBody,
          headers: req.headers,
          runHandler: (event) => handler(event, req),
          answer: (answer) => sendAnswer(req, res, answer),
          respond,
          onError,
        }),
      (error: unknown) => {
        if (error instanceof RawBodyUnavailableError) onError(error, undefined);
        sendAnswer(req, res, errorAnswer(error));
      },
    );
  };
}
