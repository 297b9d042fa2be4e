// Request schemas of the sources API (they validate requests and generate the OpenAPI document).
// `verify` is a tagged union on `scheme` (spec section 7); each branch refuses unknown fields.

import { tenantSchema } from '../api/schemas/common.js';

const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const headerName = { type: 'string', minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" } as const;
const tolerance = { type: 'integer', minimum: 1, maximum: 86400, description: 'Seconds either side of now (default 300).' } as const;
const branch = (scheme: string, required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', additionalProperties: false, required: ['scheme', ...required], properties: { scheme: { const: scheme }, ...properties } }) as const;

export const MAX_SOURCE_BODY_BYTES = 64 * 1024 * 1024;

export const verifySchema = {
  description: 'How requests are verified. Secrets omitted where optional are generated and returned once.',
  // Validate only the branch `scheme` names: without it a missing field in one scheme is reported
  // against all nine (about 30 errors for one empty header).
  discriminator: { propertyName: 'scheme' },
  oneOf: [
    branch('standard-webhooks', [], {
      secret: { type: 'string', minLength: 8, maxLength: 256, pattern: '^(whsec_)?[A-Za-z0-9+/]+={0,2}$' },
      publicKeys: {
        type: 'array',
        minItems: 1,
        maxItems: 5,
        uniqueItems: true,
        description: 'ed25519 public keys (whpk_...) of a v1a sender; v1a signatures by any of them are accepted.',
        items: { type: 'string', pattern: '^whpk_[A-Za-z0-9+/]{43}=$' },
      },
      toleranceSeconds: tolerance,
    }),
    branch('stripe', ['secret'], { secret: str(256), toleranceSeconds: tolerance }),
    branch('github', [], { secret: str(256) }),
    branch('shopify', ['secret'], { secret: str(256) }),
    branch('hmac', ['header'], {
      secret: str(256),
      header: headerName,
      algorithm: { type: 'string', enum: ['sha256', 'sha512'], description: 'Default sha256.' },
      encoding: { type: 'string', enum: ['hex', 'base64'], description: 'Default hex.' },
      prefix: { type: 'string', minLength: 1, maxLength: 64 },
    }),
    branch('api-key', ['header', 'value'], { header: headerName, value: str(4096) }),
    branch('bearer', ['token'], { token: { type: 'string', minLength: 1, maxLength: 4096, pattern: '^\\S+$' } }),
    branch('basic', ['username', 'password'], { username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:]*$' }, password: str(1024) }),
    branch('none', [], {}),
  ],
} as const;

export const eventTypeRuleSchema = {
  description: 'A fixed event type, { header } naming a request header, or { pointer } into the body (RFC 6901). Default: { "pointer": "/type" }.',
  oneOf: [
    { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
    { type: 'object', additionalProperties: false, required: ['header'], properties: { header: headerName } },
    { type: 'object', additionalProperties: false, required: ['pointer'], properties: { pointer: { type: 'string', maxLength: 512 } } },
  ],
} as const;

const sourceFields = {
  name: str(256),
  verify: verifySchema,
  allowIps: { type: ['array', 'null'], minItems: 1, maxItems: 256, items: { type: 'string', minLength: 1, maxLength: 64 }, description: 'CIDR ranges (or single addresses) allowed to call the ingress.' },
  eventType: { anyOf: [eventTypeRuleSchema, { type: 'null' }] },
  orderingKey: {
    description: 'Ordered delivery per key (docs/routing.md, "Ordering"): a fixed key, { header } or { pointer } into the body giving each event its ordering key. null: unordered.',
    anyOf: [
      { type: 'string', minLength: 1, maxLength: 256 },
      { type: 'object', additionalProperties: false, required: ['header'], properties: { header: headerName } },
      { type: 'object', additionalProperties: false, required: ['pointer'], properties: { pointer: { type: 'string', maxLength: 512 } } },
      { type: 'null' },
    ],
  },
  maxBodyBytes: { type: ['integer', 'null'], minimum: 1, maximum: MAX_SOURCE_BODY_BYTES, description: 'Body cap of the ingress (default HOOKD_MAX_BODY_BYTES).' },
  consume: {
    description: 'Consume from a broker as well as listening (docs/destinations.md, "Broker sources"): redis://host/DB?stream=S&group=G, amqp://host/vhost?queue=Q, nats://host/subject?stream=S&durable=D or mqtt://host/topic/%23?client=ID. Credentials apart, sealed. null: HTTP only.',
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: { url: { type: 'string', minLength: 1, maxLength: 2048 }, username: { type: 'string', minLength: 1, maxLength: 256 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
      { type: 'null' },
    ],
  },
} as const;

export const createSourceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'verify'],
  properties: { ...sourceFields, tenant: tenantSchema },
} as const;

export const patchSourceBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: sourceFields,
} as const;

export const requestListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    verdict: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 250, default: 50 },
    cursor: { type: 'string', maxLength: 512 },
  },
} as const;

export const sourceParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const requestParams = {
  type: 'object',
  required: ['id', 'requestId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 }, requestId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;
