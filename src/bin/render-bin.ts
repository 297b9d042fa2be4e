// Bin and captured request -> API JSON. The secret never leaves; a captured body is text when it is
// valid UTF-8, else base64, and carries the Standard Webhooks check when the bin has a secret.

import type { Bin, BinRequest } from '../core/bin-types.js';
import { firstInvalidUtf8 } from '../core/utf8.js';
import { iso } from '../api/render.js';
import { verifyStandardWebhook } from '../signature/index.js';
import type { BinRequestView, BinView } from '../wire/index.js';

export function renderBin(bin: Bin, captureUrl: string): BinView {
  return {
    id: bin.id,
    name: bin.name,
    tenant: bin.tenant,
    captureUrl,
    behaviour: bin.behaviour,
    responseBody: bin.responseBody,
    secret: bin.secret === null ? null : '[redacted]',
    expiresAt: iso(bin.expiresAt),
    createdAt: iso(bin.createdAt),
  };
}

/**
 * The signature is checked when the request is read, against the bin's current secret, with the
 * capture time as "now" so an old capture is judged as it was when it arrived.
 */
export function renderBinRequest(request: BinRequest, secret: string | null): BinRequestView {
  const utf8 = firstInvalidUtf8(request.body) < 0;
  let signature: BinRequestView['signature'] = null;
  if (secret !== null) {
    try {
      const r = request.truncated
        ? { ok: false as const, code: 'body_truncated', message: 'The body was truncated when captured, so its signature cannot be checked.' }
        : verifyStandardWebhook({ body: request.body, headers: request.headers, secrets: secret, now: request.receivedAt });
      signature = r.ok ? { ok: true, code: null, message: null } : { ok: false, code: r.code, message: r.message };
    } catch (err) {
      signature = { ok: false, code: 'secret_invalid', message: (err as Error).message };
    }
  }
  return {
    id: request.id,
    binId: request.binId,
    method: request.method,
    path: request.path,
    headers: request.headers,
    bodyEncoding: utf8 ? 'utf8' : 'base64',
    body: utf8 ? request.body.toString('utf8') : request.body.toString('base64'),
    size: request.size,
    truncated: request.truncated,
    remoteAddress: request.remoteAddress,
    receivedAt: iso(request.receivedAt),
    signature,
  };
}
