// RFC 9457 problem documents. Every error leaving the API goes through toProblem(), so a client
// always gets { type, title, status, detail, code } and never a stack trace or a bare 500.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERROR_CODES, type ApiErrorCode } from '../core/error-codes.js';
import { HookdError, type FieldError } from '../core/errors.js';
import { StoreUnavailableError } from '../store/store-error.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ApiErrorCode;
  errors?: FieldError[];
  requestId?: string;
  [extra: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://hookd.dev/errors/';

export function problemOf(code: ApiErrorCode, detail?: string, errors?: FieldError[], extra?: Record<string, unknown>): Problem {
  const info = API_ERROR_CODES[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: info.title,
    status: info.status,
    detail: detail ?? info.title,
    code,
    ...(errors ? { errors } : {}),
    ...extra,
  };
}

/** Map any thrown value to a problem document. */
export function toProblem(err: unknown): Problem {
  if (err instanceof HookdError) return problemOf(err.code, err.message, err.errors, err.extra);
  const fe = err as Partial<FastifyError> & { validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown>; keyword: string }>; validationContext?: string };
  if (fe.validation) {
    const part = fe.validationContext ?? 'body';
    const errors = fe.validation.map((v) => {
      const params = v.params ?? {};
      if (v.keyword === 'required') return { path: `/${part}${v.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
      if (v.keyword === 'additionalProperties') return { path: `/${part}${v.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known field' };
      // A tagged union (ajv's discriminator): the tag itself is missing or names no branch.
      if (v.keyword === 'discriminator') return { path: `/${part}${v.instancePath}/${String(params.tag)}`, message: params.error === 'mapping' ? `${JSON.stringify(params.tagValue)} is not a known value` : 'is required (a string)' };
      return { path: `/${part}${v.instancePath}`, message: v.message ?? v.keyword };
    });
    return problemOf('validation_failed', `The ${part} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemOf('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? problemOf('unsupported_media_type', 'Send the body as application/json.') : problemOf('validation_failed', 'Invalid Content-Length.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problemOf('invalid_json', 'The body is empty; expected a JSON value at line 1, column 1.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problemOf('invalid_json', fe.message);
    default:
      break;
  }
  if (err instanceof StoreUnavailableError) return problemOf('service_unavailable', 'The database is unreachable or cannot take writes right now; nothing was written. Retry shortly.', undefined, { retryAfter: 5 });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return problemOf('payload_too_large');
    if (fe.statusCode === 415) return problemOf('unsupported_media_type');
    if (fe.statusCode === 414) return problemOf('uri_too_long');
    if (fe.statusCode === 431) return problemOf('header_too_large');
    return problemOf('validation_failed', fe.message ?? 'Bad request');
  }
  return problemOf('internal_error');
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem): FastifyReply {
  const body = { ...problem, requestId: request.id };
  if (problem.code === 'service_unavailable' || problem.code === 'rate_limited') {
    void reply.header('retry-after', typeof problem.retryAfter === 'number' ? String(problem.retryAfter) : '1');
  }
  return reply.code(problem.status).type('application/problem+json').send(body);
}
