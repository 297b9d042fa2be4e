// Health, and the routes the dashboard reads about itself (who am I, codes, overview, portal links).

import Type, { type Static } from 'typebox';
import { Facts, IsoDate, Nullable } from './primitives.js';

export const HealthModel = Type.Object({ status: Type.Literal('ok'), service: Type.Literal('hookd'), version: Type.String() }, { title: 'Health', additionalProperties: false });
export const ReadyModel = Type.Object({ status: Type.Literal('ready'), database: Type.String(), checks: Type.Record(Type.String(), Facts) }, { title: 'Ready', additionalProperties: false });

/** What a portal link may do (the same list as src/core/portal-capabilities.ts, checked by a test). */
export const PortalCapabilityModel = Type.Enum(['view', 'view_secret', 'manage_secret', 'manage_endpoints', 'replay', 'manage_transforms']);

export const WhoamiModel = Type.Object(
  {
    role: Type.Union([Type.Literal('admin'), Type.Literal('tenant')]),
    tenant: Nullable(Type.String()),
    portal: Type.Boolean(),
    version: Type.String(),
    features: Type.Record(Type.String(), Type.Boolean()),
    defaults: Type.Object({ timeoutMs: Type.Integer(), maxConcurrency: Type.Integer() }, { additionalProperties: false }),
    portalOptions: Nullable(Type.Object({ readOnly: Type.Boolean(), capabilities: Type.Array(PortalCapabilityModel), theme: Nullable(Facts), expiresAt: IsoDate }, { additionalProperties: false })),
  },
  { title: 'Whoami', additionalProperties: false },
);

export const CodesModel = Type.Record(Type.String(), Type.Object({ summary: Type.String(), fix: Type.String() }, { additionalProperties: true }), { title: 'Codes' });

const Count = Type.Integer();
const Ms = Nullable(Type.Number());
export const OverviewModel = Type.Object(
  {
    since: IsoDate,
    until: IsoDate,
    bucketSeconds: Type.Number(),
    buckets: Type.Array(Type.Object({ start: IsoDate, succeeded: Count, failed: Count, pending: Count, cancelled: Count }, { additionalProperties: false })),
    totals: Type.Object({ deliveries: Count, succeeded: Count, failed: Count, pending: Count, cancelled: Count }, { additionalProperties: false }),
    truncated: Type.Boolean(),
    successRate: Ms,
    latency: Type.Object({ p50: Ms, p95: Ms, sampled: Count }, { additionalProperties: false }),
    queue: Type.Object({ pending: Count, due: Count, oldestDueAt: Nullable(IsoDate) }, { additionalProperties: false }),
    endpoints: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          url: Type.String(),
          description: Nullable(Type.String()),
          enabled: Type.Boolean(),
          disabledReason: Nullable(Type.String()),
          succeeded: Count,
          failed: Count,
          successRate: Ms,
          p50: Ms,
          p95: Ms,
        },
        { additionalProperties: false },
      ),
    ),
    /** Current failures grouped by endpoint and attempt code, busiest first (at most 20). */
    issues: Type.Array(
      Type.Object(
        {
          endpointId: Type.String(),
          url: Nullable(Type.String()),
          description: Nullable(Type.String()),
          enabled: Nullable(Type.Boolean()),
          code: Type.String(),
          lastStatus: Nullable(Type.Integer()),
          deliveries: Count,
          retrying: Count,
          exhausted: Count,
          latestAt: IsoDate,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { title: 'Overview', additionalProperties: false },
);

export const PortalLinkModel = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    token: Type.String(),
    tenant: Type.String(),
    expiresAt: IsoDate,
    readOnly: Type.Boolean(),
    capabilities: Type.Array(PortalCapabilityModel),
    theme: Nullable(Facts),
    singleUse: Type.Boolean({ description: 'The link is exchanged once for a session (POST /v1/portal/session) and authenticates nothing else.' }),
  },
  { title: 'PortalLink', additionalProperties: false },
);

/** What exchanging a portal link answers: the session token that calls the API (Bearer portal_<token>). */
export const PortalSessionModel = Type.Object(
  {
    token: Type.String(),
    /** The link's id (revoking the link ends the session); null for links made before ids existed. */
    linkId: Nullable(Type.String()),
    tenant: Type.String(),
    expiresAt: IsoDate,
    readOnly: Type.Boolean(),
    capabilities: Type.Array(PortalCapabilityModel),
    theme: Nullable(Facts),
  },
  { title: 'PortalSession', additionalProperties: false },
);

export type HealthView = Static<typeof HealthModel>;
export type WhoamiView = Static<typeof WhoamiModel>;
export type CodesView = Static<typeof CodesModel>;
export type OverviewView = Static<typeof OverviewModel>;
export type PortalLinkView = Static<typeof PortalLinkModel>;
export type PortalSessionView = Static<typeof PortalSessionModel>;
