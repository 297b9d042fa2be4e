// One base error carrying a stable code. The HTTP status and title come from the registry
// (error-codes.ts), so a code always means the same thing wherever it is thrown.

import { API_ERROR_CODES, type ApiErrorCode } from './error-codes.js';

export interface FieldError {
  /** JSON pointer-ish path into the request, e.g. `/data/customer/id` or `/body/url`. */
  path: string;
  message: string;
}

export class HookdError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  /** Extra members for the problem document (e.g. retryAfter). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: ApiErrorCode,
    detail?: string,
    options?: { errors?: FieldError[]; cause?: unknown; extra?: Record<string, unknown> },
  ) {
    super(detail ?? API_ERROR_CODES[code].title, { cause: options?.cause });
    this.name = 'HookdError';
    this.code = code;
    this.status = API_ERROR_CODES[code].status;
    this.errors = options?.errors;
    this.extra = options?.extra;
  }
}
