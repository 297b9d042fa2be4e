// Reads a request body with the source's cap enforced while reading: a body over the cap is refused
// as soon as the cap is crossed (or at once, when Content-Length already says so), with no more than
// `limit` bytes ever held in memory. Chunked bodies have no Content-Length, so the stream count is the
// only check that always applies.
//
// After `too_large` the stream is paused and left unread; the route answers with `Connection: close`
// so node closes the socket instead of draining (possibly gigabytes) to keep the connection alive.

import type { Readable } from 'node:stream';

export type ReadBodyResult =
  | { ok: true; body: Buffer }
  /** `prefix`: what was read before the cap was crossed (at most `limit` bytes), for the request log. */
  | { ok: false; kind: 'too_large'; prefix: Buffer; declared: number | null }
  /** The client went away, or the stream failed, before the body ended. */
  | { ok: false; kind: 'aborted' };

export function readBody(stream: Readable, limit: number, contentLength: string | undefined): Promise<ReadBodyResult> {
  const declared = contentLength !== undefined && /^[0-9]{1,16}$/.test(contentLength) ? Number(contentLength) : null;
  if (declared !== null && declared > limit) {
    stream.pause();
    return Promise.resolve({ ok: false, kind: 'too_large', prefix: Buffer.alloc(0), declared });
  }
  if (stream.readableEnded) return Promise.resolve({ ok: true, body: Buffer.alloc(0) });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: ReadBodyResult): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onAbort);
      stream.off('close', onClose);
      resolve(result);
    };
    function onData(chunk: Buffer | string): void {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (size + buffer.length > limit) {
        const room = limit - size;
        if (room > 0) chunks.push(buffer.subarray(0, room));
        stream.pause();
        finish({ ok: false, kind: 'too_large', prefix: Buffer.concat(chunks), declared });
        return;
      }
      size += buffer.length;
      chunks.push(buffer);
    }
    function onEnd(): void {
      finish({ ok: true, body: Buffer.concat(chunks, size) });
    }
    function onAbort(): void {
      finish({ ok: false, kind: 'aborted' });
    }
    // 'close' before 'end' means the peer went away mid-body; after 'end' it is harmless (settled).
    function onClose(): void {
      finish({ ok: false, kind: 'aborted' });
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onAbort);
    stream.on('close', onClose);
    stream.resume();
  });
}
