// Reads a captured request's body, keeping at most `limit` bytes. Unlike the ingress reader, a body
// over the cap is not refused unseen: the first `limit` bytes are kept (the capture is stored
// truncated, so the fact that it came is never lost) and reading stops there; the route then answers
// 413 with `Connection: close` so node does not drain the rest.

import type { Readable } from 'node:stream';

export type CaptureRead =
  | { ok: true; body: Buffer; size: number; truncated: boolean }
  /** The client went away (or the stream failed) before the body ended. */
  | { ok: false };

export function readCapture(stream: Readable, limit: number, contentLength: string | undefined): Promise<CaptureRead> {
  const declared = contentLength !== undefined && /^[0-9]{1,16}$/.test(contentLength) ? Number(contentLength) : null;
  if (stream.readableEnded) return Promise.resolve({ ok: true, body: Buffer.alloc(0), size: 0, truncated: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: CaptureRead): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onAbort);
      stream.off('close', onAbort);
      resolve(result);
    };
    function onData(chunk: Buffer | string): void {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (size + buffer.length > limit) {
        chunks.push(buffer.subarray(0, limit - size));
        stream.pause();
        // The real size when the client declared it, else at least what was seen.
        const seen = size + buffer.length;
        finish({ ok: true, body: Buffer.concat(chunks), size: declared !== null && declared > seen ? declared : seen, truncated: true });
        return;
      }
      size += buffer.length;
      chunks.push(buffer);
    }
    function onEnd(): void {
      finish({ ok: true, body: Buffer.concat(chunks, size), size, truncated: false });
    }
    function onAbort(): void {
      finish({ ok: false });
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onAbort);
    stream.on('close', onAbort);
  });
}
