// Reading a request body into one Buffer with a size cap enforced while streaming.
//
// Content-Length cannot be trusted for the cap (chunked bodies have none), so bytes are counted as
// they arrive and reading stops as soon as the cap is crossed; a declared oversized length is
// refused before reading anything.

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { WebhookVerificationError } from './errors.js';

/** Default body cap, as for hookd's own API (spec section 6). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function payloadTooLarge(maxBytes: number): WebhookVerificationError {
  return new WebhookVerificationError('payload_too_large', `The body exceeds ${maxBytes} bytes.`);
}

export function readRawBody(request: Readable & { headers: IncomingHttpHeaders }, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(payloadTooLarge(maxBytes));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.byteLength;
      if (received > maxBytes) {
        cleanup();
        // Stop pulling: the caller answers 413 with `connection: close` and drops the socket.
        request.pause();
        reject(payloadTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('The request was closed before its body was complete.'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
