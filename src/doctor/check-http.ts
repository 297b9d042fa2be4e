// The `http` step: does the URL answer a signed POST, and with what. Statuses go through
// classifyStatus, the classifier of delivery attempts, so the doctor's code for a fault is the code
// the attempt log shows.
//
// Decisions:
// - 401 and 403 pass this step: the route exists and answered; whether the credentials are right is
//   the `auth` step's question, which probes again without them to tell missing from wrong.
// - A 2xx whose body exceeded the cap is a warning (response_too_large), not a failure: the delivery
//   counts as accepted (the status decides; http-sender.ts), but hookd drops the connection after
//   16 KiB, and a receiver that streams megabytes back is wasting both sides' time.

import type { SendResult } from '../delivery/sender-types.js';
import { classifyStatus } from '../core/classify-response.js';
import { excerpt, type PingOutcome } from './ping-request.js';
import { found, passed, type StepResult } from './report.js';

/** What the report keeps of a response. */
export function responseDetail(result: SendResult): Record<string, unknown> {
  return {
    status: result.status,
    durationMs: Math.round(result.durationMs),
    remoteAddress: result.remoteAddress,
    headers: result.headers,
    body: result.body === null ? null : excerpt(result.body, 1024),
    bodyTruncated: result.bodyTruncated,
  };
}

function statusMessage(result: SendResult & { status: number }, path: string): { message: string; fix?: string } {
  const { status } = result;
  const headers = result.headers ?? {};
  const said = excerpt(result.body);
  const body = said ? ` It said: "${said}"` : '';
  if (status >= 300 && status < 400) {
    const location = headers.location;
    return location
      ? { message: `The receiver answered ${status} redirecting to ${location}; webhooks never follow redirects.`, fix: `Change the endpoint URL to the final URL (${location}).` }
      : { message: `The receiver answered ${status} (a redirect without a Location); webhooks never follow redirects.` };
  }
  if (status === 404) return { message: `The receiver answered 404: nothing handles POST ${path}.${body}` };
  if (status === 405) {
    const allow = headers.allow ? ` (it allows ${headers.allow})` : '';
    return { message: `The receiver answered 405: ${path} exists but does not accept POST${allow}.` };
  }
  if (status === 410) return { message: `The receiver answered 410 Gone: it asks hookd to stop sending (deliveries disable the endpoint).` };
  if (status === 429) {
    const after = headers['retry-after'] ? ` and asked to wait ${headers['retry-after']} s (Retry-After)` : '';
    return { message: `The receiver answered 429 Too Many Requests${after}.` };
  }
  if (status >= 400 && status < 500) return { message: `The receiver refused the signed test request with ${status}.${body}` };
  return { message: `The receiver failed with ${status}.${body}` };
}

export function checkHttp(ping: PingOutcome, url: URL): StepResult {
  const { result } = ping;
  const detail = { method: 'POST', url: url.href, request: { headers: ping.requestHeaders, sentCredentials: ping.withAuth && !ping.authError }, response: responseDetail(result) };
  // A network error, or a response that did not complete within the timeout.
  if (result.errorCode !== null) {
    return found('http', 'fail', result.errorCode, result.errorMessage ?? 'The request failed.', detail);
  }
  const status = result.status;
  if (status === null) return found('http', 'fail', 'network_error', 'No response and no error: the request was lost.', detail);
  const withStatus = { ...result, status };
  const { code } = classifyStatus(status);
  if (code === 'ok') {
    if (result.bodyTruncated) {
      return found('http', 'warn', 'response_too_large', `The receiver answered ${status}, but its response body exceeded the ${Buffer.byteLength(result.body ?? '')} bytes hookd reads; the connection was dropped there.`, detail);
    }
    return passed('http', `The receiver answered ${status} to a signed POST in ${Math.round(result.durationMs)} ms.`, detail);
  }
  if (code === 'http_unauthorized' || code === 'http_forbidden') {
    return passed('http', `The receiver answered ${status}: the route exists; the auth step checks the credentials.`, detail);
  }
  const { message, fix } = statusMessage(withStatus, url.pathname);
  return found('http', 'fail', code, message, detail, fix);
}
