// POST /v1/bins/{id}/requests/{requestId}/replay { url }: send a captured request to a URL (your app,
// a tunnel) through the delivery sender, so the SSRF policy, timeouts and the response cap are the
// deliveries' own. The headers go as captured, signature headers included (the receiver can verify
// them), except framing and hop-by-hop names, which would re-frame or re-target the request.

import type { BinRequest } from '../core/bin-types.js';
import { FRAMING_HEADERS } from '../core/header-rules.js';
import type { Sender, SendResult } from '../delivery/sender-types.js';

/** Bytes HTTP can carry in a header value: tab and visible Latin-1, no control characters. */
const SENDABLE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function replayHeaders(captured: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured)) {
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower) || !SENDABLE_VALUE.test(value)) continue;
    out[lower] = value;
  }
  return out;
}

export interface ReplayOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
}

/** GET and HEAD captures go as they came; every other method is sent as POST (the sender's methods). */
export function replayMethod(method: string): 'POST' | 'GET' | 'HEAD' {
  return method === 'GET' || method === 'HEAD' ? method : 'POST';
}

export function replayCapture(sender: Sender, request: BinRequest, url: string, options: ReplayOptions): Promise<SendResult> {
  const method = replayMethod(request.method);
  return sender.send({
    url,
    method,
    headers: replayHeaders(request.headers),
    body: method === 'POST' ? request.body : Buffer.alloc(0),
    timeoutMs: options.timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    maxResponseBytes: 4096,
  });
}
