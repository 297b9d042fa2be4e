// Request schemas for endpoints. Auth is a tagged union on `type` (spec section 4).

import { TRANSFORM_PRESETS } from '../../core/types.js';
import { tenantSchema } from './common.js';

const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export const authSchema = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'none' } } },
    { type: 'object', additionalProperties: false, required: ['type', 'username', 'password'], properties: { type: { const: 'basic' }, username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:]*$' }, password: str(1024) } },
    { type: 'object', additionalProperties: false, required: ['type', 'token'], properties: { type: { const: 'bearer' }, token: str(4096) } },
    { type: 'object', additionalProperties: false, required: ['type', 'name', 'value'], properties: { type: { const: 'header' }, name: { type: 'string', minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }, value: str(4096) } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'tokenUrl', 'clientId', 'clientSecret'],
      properties: { type: { const: 'oauth2' }, tokenUrl: str(2048), clientId: str(512), clientSecret: str(2048), scope: str(1024), audience: str(1024) },
    },
    { type: 'object', additionalProperties: false, required: ['type', 'cert', 'key'], properties: { type: { const: 'mtls' }, cert: str(65536), key: str(65536), ca: str(65536) } },
  ],
} as const;

const headersSchema = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" },
  additionalProperties: { type: 'string', maxLength: 4096 },
} as const;

/** Either JavaScript defining `function transform(webhook)`, or a built-in preset; null removes it. */
export const transformSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 65536 },
    preset: { type: 'string', enum: [...TRANSFORM_PRESETS] },
  },
} as const;

const endpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  description: { type: ['string', 'null'], maxLength: 1024 },
  eventTypes: {
    type: ['array', 'null'],
    maxItems: 256,
    uniqueItems: true,
    items: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
  },
  auth: authSchema,
  secret: { type: 'string', minLength: 10, maxLength: 128, pattern: '^whsec_[A-Za-z0-9+/=]+$' },
  headers: headersSchema,
  timeoutMs: { type: 'integer', minimum: 1000, maximum: 60000 },
  rateLimitPerSecond: { type: ['integer', 'null'], minimum: 1, maximum: 100000 },
  maxConcurrency: { type: 'integer', minimum: 1, maximum: 1000 },
  retrySchedule: { type: ['array', 'null'], minItems: 1, maxItems: 50, items: { type: 'integer', minimum: 0, maximum: 604800 } },
  payloadFormat: { type: 'string', enum: ['envelope', 'raw'] },
  signing: { type: 'string', enum: ['hmac', 'ed25519', 'both'] },
  // Checked in full by core/event-filter.ts (errors by path); the schema only bounds the shape.
  filter: { type: ['object', 'null'], maxProperties: 128 },
  transform: transformSchema,
  ordering: {
    type: 'object',
    additionalProperties: false,
    required: ['onExhausted'],
    description: 'Ordered delivery per key: when a key\'s head exhausts its retries, "block" holds the key until a retry or skip, "skip" lets the next event go.',
    properties: { onExhausted: { type: 'string', enum: ['block', 'skip'] } },
  },
  enabled: { type: 'boolean' },
} as const;

export const createEndpointBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { ...endpointFields, tenant: tenantSchema },
} as const;

export const patchEndpointBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: (({ secret: _secret, ...rest }) => rest)(endpointFields),
} as const;
