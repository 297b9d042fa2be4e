// The one error the receiver throws. `status` is the HTTP answer we suggest: verification failures
// are 401 (the sender should fix its secret or clock; hookd treats a 4xx as a failed attempt and
// retries), malformed JSON after a good signature is 400, an oversized body 413.

import type { VerifyFailureCode } from '../signature/verify-result.js';

export type WebhookErrorCode = VerifyFailureCode | 'invalid_json' | 'payload_too_large';

const STATUS_BY_CODE: Record<WebhookErrorCode, number> = {
  signature_missing: 401,
  signature_invalid: 401,
  timestamp_invalid: 401,
  timestamp_out_of_tolerance: 401,
  invalid_json: 400,
  payload_too_large: 413,
};

export class WebhookVerificationError extends Error {
  readonly code: WebhookErrorCode;
  /** Suggested HTTP status for the answer. */
  readonly status: number;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
  }
}
