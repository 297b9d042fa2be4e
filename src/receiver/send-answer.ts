// Writing an HttpAnswer to a node:http ServerResponse (also Express's res, which extends it).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpAnswer } from './handle-delivery.js';

export function sendAnswer(req: IncomingMessage, res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  if (answer.headers?.connection === 'close') {
    // The request body was left unread (413). Once the answer is flushed, drop the connection
    // instead of letting node drain an arbitrarily large body to keep it alive.
    res.once('finish', () => req.destroy());
  }
  if (answer.body === undefined) {
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
