// The request flow shared by the node, Express and Fastify adapters, written once so they answer
// identically:
//
//   body read (size-capped) -> verify signature -> parse JSON -> dedupe -> handler -> answer
//
// When the handler runs (`respond`):
// - 'after-handler' (default): the answer waits for the handler. 204 when it resolves; when it throws,
//   500 and the id is released from the dedupe store, so hookd's retry runs the handler again. This
//   keeps hookd's at-least-once promise end to end. Keep handlers well under hookd's timeout (15 s
//   by default): a slow handler's attempt times out and is retried; the retry meets the dedupe mark
//   and is acknowledged as a duplicate.
// - 'before-handler': 204 first, then the handler. Fastest, but an error or crash in the handler
//   loses the event (hookd already has its 2xx). Use it only when the handler just enqueues durably.
//
// Either way a handler error never escapes (no unhandled rejection): it goes to `onError`.

import type { HeaderInput } from '../signature/headers.js';
import type { RawBody } from '../signature/body.js';
import type { VerifiedWebhook, WebhookReceiver } from './create-receiver.js';
import { WebhookVerificationError } from './errors.js';

export type RespondMode = 'after-handler' | 'before-handler';

export interface HandlerOptions {
  /** Body cap in bytes; larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** When the HTTP answer is sent relative to the handler. Default 'after-handler' (see above). */
  respond?: RespondMode;
  /** Handler failures and unexpected errors. Default: console.error. */
  onError?: (error: unknown, event: VerifiedWebhook | undefined) => void;
}

export interface HttpAnswer {
  status: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export function defaultOnError(error: unknown, event: VerifiedWebhook | undefined): void {
  console.error(`[hookd/receiver] webhook ${event?.id ?? '(unverified)'} failed:`, error);
}

export function errorAnswer(error: unknown): HttpAnswer {
  if (error instanceof WebhookVerificationError) {
    const headers: Record<string, string> = error.code === 'payload_too_large' ? { connection: 'close' } : {};
    return { status: error.status, body: { code: error.code, message: error.message }, headers };
  }
  return { status: 500, body: { code: 'internal_error', message: 'The webhook could not be processed.' } };
}

/**
 * Content-Encoding is refused up front: the signature covers the bytes as sent, and decompressing
 * would need its own cap (zip bombs). hookd never compresses deliveries.
 */
export function encodingAnswer(contentEncoding: string | readonly string[] | undefined): HttpAnswer | null {
  const encoding = typeof contentEncoding === 'string' ? contentEncoding.trim().toLowerCase() : contentEncoding;
  if (encoding === undefined || encoding === '' || encoding === 'identity') return null;
  return { status: 415, body: { code: 'unsupported_media_type', message: 'Content-Encoding is not supported.' } };
}

export interface DeliveryInput {
  receiver: WebhookReceiver;
  rawBody: RawBody;
  headers: HeaderInput;
  runHandler: (event: VerifiedWebhook) => unknown;
  /** Sends the answer; called exactly once. */
  answer: (answer: HttpAnswer) => void | Promise<void>;
  respond: RespondMode;
  onError: NonNullable<HandlerOptions['onError']>;
}

/** Never rejects. */
export async function handleDelivery(delivery: DeliveryInput): Promise<void> {
  const input: DeliveryInput = {
    ...delivery,
    answer: async (answer) => {
      try {
        await delivery.answer(answer);
      } catch (error) {
        safeReport(delivery.onError, error, undefined);
      }
    },
  };
  let event: VerifiedWebhook;
  try {
    event = await input.receiver.verify(input.rawBody, input.headers);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) safeReport(input.onError, error, undefined);
    await input.answer(errorAnswer(error));
    return;
  }
  if (event.duplicate) {
    await input.answer({ status: 200, body: { duplicate: true } });
    return;
  }
  if (input.respond === 'before-handler') {
    await input.answer({ status: 204 });
    try {
      await input.runHandler(event);
    } catch (error) {
      safeReport(input.onError, error, event);
    }
    return;
  }
  try {
    await input.runHandler(event);
  } catch (error) {
    safeReport(input.onError, error, event);
    try {
      await input.receiver.release(event.id);
    } catch (releaseError) {
      safeReport(input.onError, releaseError, event);
    }
    await input.answer({ status: 500, body: { code: 'handler_failed', message: 'The webhook handler failed; retry later.' } });
    return;
  }
  await input.answer({ status: 204 });
}

/** An onError that throws must not turn into an unhandled rejection either. */
function safeReport(onError: DeliveryInput['onError'], error: unknown, event: VerifiedWebhook | undefined): void {
  try {
    onError(error, event);
  } catch {
    // Nothing sensible is left to do; swallowing beats crashing the receiving process.
  }
}
