// The synchronous part of the ingress, once the body has been read within its cap: content type,
// verification over the raw bytes, then (only for verified requests) JSON decoding, the event type and
// the delivery id. The order is the security argument: nothing parses bytes an unverified caller sent.

import { deriveOrderingKey } from './ordering-key-rule.js';
import type { ApiErrorCode } from '../core/error-codes.js';
import type { FieldError } from '../core/errors.js';
import type { Source } from '../core/inbound-types.js';
import { classifyContentType } from './content-type.js';
import { decodeBody } from './decode-body.js';
import { dedupeKey } from './dedupe-key.js';
import { deriveEventType } from './event-type-rule.js';
import { verifyRequest } from './verify-request.js';

export interface IngressInput {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  contentType: string | undefined;
  body: Buffer;
  /** Epoch milliseconds. */
  now: number;
}

export type IngressCheck =
  | {
      ok: true;
      type: string;
      data: unknown;
      /** The exact JSON text of the data (the body, or a form's `payload` field). */
      payload: string;
      dedupeKey: string | null;
      /** From the source's ordering-key rule; null without one. */
      orderingKey: string | null;
    }
  | { ok: false; code: ApiErrorCode; reason: string; errors?: FieldError[] | undefined; extra?: Record<string, unknown> | undefined };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export function checkIngress(source: Source, input: IngressInput): IngressCheck {
  const media = classifyContentType(input.contentType, single(input.headers['content-encoding']));
  if (!media.ok) return { ok: false, code: 'unsupported_media_type', reason: media.reason };

  const verdict = verifyRequest(source.verify, { body: input.body, headers: input.headers, now: input.now });
  if (!verdict.ok) return { ok: false, code: verdict.code, reason: verdict.reason };

  const decoded = decodeBody(media.kind, input.body);
  if (!decoded.ok) {
    return decoded.code === 'invalid_json'
      ? { ok: false, code: 'invalid_json', reason: decoded.reason, extra: { line: decoded.line, column: decoded.column } }
      : { ok: false, code: 'unsupported_media_type', reason: decoded.reason };
  }

  const type = deriveEventType(source.eventType, input.headers, decoded.value);
  if (!type.ok) return { ok: false, code: type.code, reason: type.reason, errors: type.errors };

  const key = deriveOrderingKey(source.orderingKey, input.headers, decoded.value);
  if (!key.ok) return { ok: false, code: key.code, reason: key.reason, errors: key.errors };

  return { ok: true, type: type.type, data: decoded.value, payload: decoded.text, dedupeKey: dedupeKey(source.verify.scheme, input.headers, decoded.value), orderingKey: key.key };
}
