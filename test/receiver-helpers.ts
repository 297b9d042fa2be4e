// Shared by the receiver tests: requests signed by the official `standardwebhooks` library, and a
// small HTTP client that survives a server cutting the upload short (413).

import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export function signedHeaders(secret: string, id: string, body: string | Buffer, date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, date, body),
  };
}

export function envelope(type: string, data: unknown): string {
  return JSON.stringify({ type, timestamp: '2026-05-20T15:30:00.000Z', data });
}

export interface PostResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface PostOptions {
  method?: string;
  /** Send the body in chunks without Content-Length. */
  chunked?: boolean;
}

export function post(url: string, body: string | Buffer, headers: Record<string, string>, options: PostOptions = {}): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const req = request(url, {
      method: options.method ?? 'POST',
      headers: options.chunked ? headers : { ...headers, 'content-length': String(payload.byteLength) },
    });
    let settled = false;
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
      });
      res.on('error', () => undefined);
    });
    // A server that answers 413 and closes may reset the upload (EPIPE/ECONNRESET) after the
    // response arrived; only an error before any response fails the call.
    req.on('error', (error) => {
      if (!settled) setTimeout(() => (settled ? undefined : reject(error)), 50);
    });
    if (options.chunked) {
      const size = 64 * 1024;
      let offset = 0;
      const writeNext = (): void => {
        while (offset < payload.byteLength) {
          const chunk = payload.subarray(offset, offset + size);
          offset += size;
          if (!req.write(chunk)) {
            req.once('drain', writeNext);
            return;
          }
        }
        req.end();
      };
      writeNext();
    } else {
      req.end(payload);
    }
  });
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
