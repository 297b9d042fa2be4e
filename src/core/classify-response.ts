// HTTP result -> outcome and code. One classifier for delivery attempts and the doctor, so the code
// on an attempt record and the doctor's code for the same fault are identical.

import type { AttemptCode } from './attempt-codes.js';
import type { AttemptOutcome } from './types.js';

export interface Classification {
  outcome: AttemptOutcome;
  code: AttemptCode;
}

/** Classify a received HTTP status (spec section 5: success is 2xx only; 3xx is never followed). */
export function classifyStatus(status: number): Classification {
  if (status >= 200 && status < 300) return { outcome: 'success', code: 'ok' };
  if (status >= 300 && status < 400) return { outcome: 'retry', code: 'http_redirect' };
  if (status === 410) return { outcome: 'disable_endpoint', code: 'http_gone' };
  if (status === 429) return { outcome: 'throttle', code: 'http_rate_limited' };
  if (status === 502 || status === 503 || status === 504) return { outcome: 'throttle', code: 'http_server_error' };
  if (status === 404) return { outcome: 'retry', code: 'http_not_found' };
  if (status === 405) return { outcome: 'retry', code: 'http_method_not_allowed' };
  if (status === 401) return { outcome: 'retry', code: 'http_unauthorized' };
  if (status === 403) return { outcome: 'retry', code: 'http_forbidden' };
  if (status >= 400 && status < 500) return { outcome: 'retry', code: 'http_client_error' };
  return { outcome: 'retry', code: 'http_server_error' };
}

/**
 * Network failures are retried, except those that no retry can fix while the configuration stays the
 * same: an invalid URL fails at once (blocked addresses are retried, since an operator may open a
 * range or DNS may change, and the attempt log says why each one was blocked).
 */
export function classifyNetworkFailure(code: AttemptCode): Classification {
  if (code === 'invalid_url') return { outcome: 'fail', code };
  return { outcome: 'retry', code };
}
