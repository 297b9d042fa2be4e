// Adapter for node:http: `http.createServer(nodeHandler(receiver, async (event) => { ... }))`.
// Answers: 204 processed, 200 duplicate (handler not called), 401 verification failure, 400 invalid
// JSON, 405 not POST, 413 body over the cap, 415 compressed body, 500 handler failure. See
// handle-delivery.ts for when the handler runs relative to the answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedWebhook, WebhookReceiver } from './create-receiver.js';
import { DEFAULT_MAX_BODY_BYTES, readRawBody } from './read-body.js';
import { defaultOnError, encodingAnswer, errorAnswer, handleDelivery, type HandlerOptions } from './handle-delivery.js';
import { sendAnswer } from './send-answer.js';

export type NodeWebhookHandler = (event: VerifiedWebhook, req: IncomingMessage) => unknown;

export function nodeHandler(
  receiver: WebhookReceiver,
  handler: NodeWebhookHandler,
  options: HandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onError = options.onError ?? defaultOnError;
  const respond = options.respond ?? 'after-handler';

  return (req, res) => {
    if (req.method !== 'POST') {
      sendAnswer(req, res, { status: 405, headers: { allow: 'POST' }, body: { code: 'method_not_allowed', message: 'Use POST.' } });
      req.resume();
      return;
    }
    const refused = encodingAnswer(req.headers['content-encoding']);
    if (refused !== null) {
      sendAnswer(req, res, { ...refused, headers: { connection: 'close' } });
      return;
    }
    void readRawBody(req, maxBodyBytes).then(
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
      (error: unknown) => sendAnswer(req, res, errorAnswer(error)),
    );
  };
}
