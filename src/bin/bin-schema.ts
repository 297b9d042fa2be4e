// Request schemas of the bins API (they validate requests and generate the OpenAPI document).

import { idParams, pageQueryProps, tenantSchema } from '../api/schemas/common.js';

/** The answer a bin gives (core/mock-behaviour.ts); every member optional, the mock defaults apply. */
const behaviourProps = {
  status: { type: 'integer', minimum: 200, maximum: 599, description: 'Status of a normal answer (default 200).' },
  failRate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of requests answered with failStatus (default 0).' },
  failStatus: { type: 'integer', minimum: 400, maximum: 599, description: 'Status of a failing answer (default 500).' },
  latency: { type: 'string', maxLength: 32, pattern: '^\\d{1,6}(\\.\\.\\d{1,6})?$', description: 'Delay before answering, ms: `200` or a range `200..3000` (at most 600000).' },
  retryAfter: { type: ['integer', 'null'], minimum: 0, maximum: 86400, description: 'Retry-After seconds sent with failures and 429/503.' },
  failFirst: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'The first n requests fail whatever failRate says.' },
  goneAfter: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000, description: 'Answer 410 after this many requests.' },
} as const;

const common = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  ...behaviourProps,
  responseBody: { type: ['string', 'null'], maxLength: 65_536, description: 'Body of every answer (default: a short JSON acknowledgement).' },
  secret: {
    type: ['string', 'null'],
    minLength: 8,
    maxLength: 256,
    pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    description: 'Standard Webhooks secret: captured requests are checked against it (shown as [redacted] afterwards).',
  },
  expiresInSeconds: { type: 'integer', minimum: 60, maximum: 365 * 86400, description: 'Lifetime from now (default and maximum HOOKD_BIN_TTL_SECONDS).' },
} as const;

export const createBinBody = {
  type: 'object',
  additionalProperties: false,
  properties: { ...common, tenant: tenantSchema },
} as const;

export const patchBinBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: common,
} as const;

export const binParams = idParams('id');

export const binRequestParams = {
  type: 'object',
  required: ['id', 'requestId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 }, requestId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const binListQuery = { type: 'object', additionalProperties: false, properties: pageQueryProps } as const;

export const binReplayBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', minLength: 1, maxLength: 2048, description: 'Where to send the captured request (http or https; the SSRF policy applies).' } },
} as const;
