// What a call can throw. A problem+json answer becomes a HookdProblemError carrying the document's
// stable `code` (docs/errors.md), so callers branch on codes, not on message text.

import type { FieldErrorView, ProblemView } from '../wire/problem.js';

export class HookdProblemError extends Error {
  readonly status: number;
  /** The stable error code (`not_found`, `validation_failed` ...), or `http_<status>` for a non-hookd answer. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldErrorView[];
  readonly requestId: string | null;
  /** The whole problem document, extra members included (retryAfter, eventId ...). */
  readonly problem: ProblemView | null;

  constructor(status: number, body: unknown) {
    const p = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    const title = typeof p?.title === 'string' ? p.title : `HTTP ${status}`;
    const detail = typeof p?.detail === 'string' ? p.detail : typeof body === 'string' ? body.slice(0, 200) : '';
    super(detail !== '' ? `${title}: ${detail}` : title);
    this.name = 'HookdProblemError';
    this.status = status;
    this.code = typeof p?.code === 'string' ? p.code : `http_${status}`;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(p?.errors) ? (p.errors as FieldErrorView[]) : [];
    this.requestId = typeof p?.requestId === 'string' ? p.requestId : null;
    this.problem = p && typeof p.code === 'string' ? (p as unknown as ProblemView) : null;
  }
}

/** The server could not be reached (DNS, refused, reset, TLS): no answer was read. */
export class HookdNetworkError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${reasonOf(cause)}`, { cause });
    this.name = 'HookdNetworkError';
  }
}

/** The most specific reason in a fetch failure's cause chain: an errno code, else the innermost message. */
export function reasonOf(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (e instanceof Error) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}
