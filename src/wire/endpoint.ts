// Endpoints as the API writes them (src/api/render.ts renders through these types). Secret parts of
// auth are always "[redacted]"; the signing secret appears only in the create answer and on the
// secret routes.

import Type, { type Static } from 'typebox';
import { FilterModel, TransformModel } from './routing.js';
import { EndpointOrderingModel } from './ordering.js';
import { IsoDate, Nullable, Page, StringMap } from './primitives.js';

const Redacted = Type.Literal('[redacted]');

export const EndpointAuthModel = Type.Union(
  [
    Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('basic'), username: Type.String(), password: Redacted }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('bearer'), token: Redacted }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('header'), name: Type.String(), value: Redacted }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('oauth2'), tokenUrl: Type.String(), clientId: Type.String(), clientSecret: Redacted, scope: Nullable(Type.String()), audience: Nullable(Type.String()) },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('mtls'), cert: Type.String(), key: Redacted, ca: Nullable(Type.String()) }, { additionalProperties: false }),
  ],
  { title: 'EndpointAuth' },
);

const endpointProps = {
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  tenant: Nullable(Type.String()),
  eventTypes: Nullable(Type.Array(Type.String())),
  auth: EndpointAuthModel,
  headers: StringMap,
  timeoutMs: Type.Integer(),
  rateLimitPerSecond: Nullable(Type.Integer()),
  maxConcurrency: Type.Integer(),
  retrySchedule: Nullable(Type.Array(Type.Integer())),
  payloadFormat: Type.Union([Type.Literal('envelope'), Type.Literal('raw')]),
  signing: Type.Union([Type.Literal('hmac'), Type.Literal('ed25519'), Type.Literal('both')]),
  enabled: Type.Boolean(),
  /** Content filter evaluated at fan-out (docs/routing.md); null: every subscribed event. */
  filter: Nullable(FilterModel),
  transform: Nullable(TransformModel),
  ordering: EndpointOrderingModel,
  disabledReason: Nullable(Type.String()),
  failingSince: Nullable(IsoDate),
  createdAt: IsoDate,
  updatedAt: IsoDate,
};

export const EndpointModel = Type.Object(endpointProps, { title: 'Endpoint', additionalProperties: false });
/** The create answer: the endpoint plus its first signing secret (absent for ed25519-only endpoints). */
export const EndpointCreatedModel = Type.Object({ ...endpointProps, secret: Type.Optional(Type.String()) }, { title: 'EndpointCreated', additionalProperties: false });

export const EndpointSecretModel = Type.Object(
  { secret: Type.String(), previous: Type.Array(Type.Object({ secret: Type.String(), expiresAt: Nullable(IsoDate) }, { additionalProperties: false })) },
  { title: 'EndpointSecret', additionalProperties: false },
);
export const RotatedSecretModel = Type.Object({ secret: Type.String(), previousSecretsExpireAt: Nullable(IsoDate) }, { title: 'RotatedSecret', additionalProperties: false });
export const RecoverResultModel = Type.Object({ recovered: Type.Integer(), endpointEnabled: Type.Boolean() }, { title: 'RecoverResult', additionalProperties: false });

export const EndpointStatsModel = Type.Object(
  {
    endpointId: Type.String(),
    since: IsoDate,
    until: IsoDate,
    succeeded: Type.Integer(),
    failed: Type.Integer(),
    attempts: Type.Integer(),
    p50: Nullable(Type.Number()),
    p95: Nullable(Type.Number()),
    p99: Nullable(Type.Number()),
    byCode: Type.Record(Type.String(), Type.Integer()),
    successRate: Nullable(Type.Number()),
  },
  { title: 'EndpointStats', additionalProperties: false },
);

export const EndpointSeriesModel = Type.Object(
  {
    endpointId: Type.String(),
    since: IsoDate,
    until: IsoDate,
    bucketSeconds: Type.Number(),
    buckets: Type.Array(
      Type.Object({ start: IsoDate, attempts: Type.Integer(), failed: Type.Integer(), errorRate: Nullable(Type.Number()), p95: Nullable(Type.Number()) }, { additionalProperties: false }),
    ),
  },
  { title: 'EndpointSeries', additionalProperties: false },
);

export const EndpointPageModel = Page(EndpointModel, 'EndpointPage');

export type EndpointAuthView = Static<typeof EndpointAuthModel>;
export type EndpointView = Static<typeof EndpointModel>;
export type EndpointCreatedView = Static<typeof EndpointCreatedModel>;
export type EndpointSecretView = Static<typeof EndpointSecretModel>;
export type RotatedSecretView = Static<typeof RotatedSecretModel>;
export type RecoverResultView = Static<typeof RecoverResultModel>;
export type EndpointStatsView = Static<typeof EndpointStatsModel>;
export type EndpointSeriesView = Static<typeof EndpointSeriesModel>;
