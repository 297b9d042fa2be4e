// The forwarding half of `hookd listen`: relay one request, byte for byte and with its headers, to
// the user's app, and relay the app's answer back to hookd (so hookd's attempt log and retries
// reflect what the app said). Hop-by-hop headers are dropped both ways; Host becomes the target's.

import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
/** The largest app answer relayed back (hookd stores 16 KiB of it anyway). */
export const MAX_RELAYED_BODY = 1024 * 1024;

export interface ForwardResult {
  /** null when the app could not be reached or timed out. */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
  durationMs: number;
  error: string | null;
}

/** rawHeaders pairs minus hop-by-hop ones, preserving names and order. */
export function forwardableHeaders(rawHeaders: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push([name, rawHeaders[i + 1]!]);
  }
  return out;
}

export function forward(target: URL, method: string, rawHeaders: readonly string[], body: Buffer, timeoutMs: number): Promise<ForwardResult> {
  const started = performance.now();
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of forwardableHeaders(rawHeaders)) {
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value];
  }
  headers.host = target.host;
  headers['content-length'] = String(body.length);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ForwardResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const req = send(target, { method, headers, timeout: timeoutMs }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RELAYED_BODY) chunks.push(chunk);
      });
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [name, value] of forwardableHeaders(res.rawHeaders)) if (name.toLowerCase() !== 'content-length') out[name] = value;
        finish({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks), error: null });
      });
      res.on('error', (err) => finish({ status: null, headers: {}, body: Buffer.alloc(0), error: err.message }));
    });
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, headers: {}, body: Buffer.alloc(0), error: err.code ?? err.message }));
    req.end(body);
  });
}
