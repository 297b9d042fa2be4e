// Request bins (docs/api.md, "Request bins"): a capture URL and the requests it received.

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page, StringMap } from './primitives.js';

export const BinBehaviourModel = Type.Object(
  {
    status: Type.Integer(),
    failRate: Type.Number(),
    failStatus: Type.Integer(),
    latency: Type.Object({ min: Type.Integer(), max: Type.Integer() }, { additionalProperties: false }),
    retryAfter: Nullable(Type.Integer()),
    failFirst: Type.Integer(),
    goneAfter: Nullable(Type.Integer()),
  },
  { title: 'BinBehaviour', additionalProperties: false },
);

export const BinModel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    tenant: Nullable(Type.String()),
    /** Where to send requests: `{public URL}/bin/{id}` (any method, any subpath). */
    captureUrl: Type.String(),
    behaviour: BinBehaviourModel,
    responseBody: Nullable(Type.String()),
    /** `[redacted]` when the bin checks signatures (the secret is never shown again), else null. */
    secret: Nullable(Type.String()),
    expiresAt: IsoDate,
    createdAt: IsoDate,
  },
  { title: 'Bin', additionalProperties: false },
);

export const BinRequestModel = Type.Object(
  {
    id: Type.String(),
    binId: Type.String(),
    method: Type.String(),
    path: Type.String(),
    headers: StringMap,
    /** `utf8` when the bytes are valid UTF-8 (body is that text), else `base64`. */
    bodyEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
    body: Type.String(),
    /** The real size in bytes; more than the kept body when truncated (HOOKD_BIN_MAX_BODY_BYTES). */
    size: Type.Integer(),
    truncated: Type.Boolean(),
    remoteAddress: Nullable(Type.String()),
    receivedAt: IsoDate,
    /** Standard Webhooks check against the bin's secret; null when the bin has no secret. */
    signature: Nullable(
      Type.Object({ ok: Type.Boolean(), code: Nullable(Type.String()), message: Nullable(Type.String()) }, { title: 'BinSignatureCheck', additionalProperties: false }),
    ),
  },
  { title: 'BinRequest', additionalProperties: false },
);

export const BinReplayResultModel = Type.Object(
  {
    url: Type.String(),
    /** null when no answer came (see errorCode). */
    status: Nullable(Type.Integer()),
    durationMs: Type.Number(),
    errorCode: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    /** The answer's body, at most 4 KiB. */
    body: Nullable(Type.String()),
    bodyTruncated: Type.Boolean(),
  },
  { title: 'BinReplayResult', additionalProperties: false },
);

export const BinPageModel = Page(BinModel, 'BinPage');
export const BinRequestPageModel = Page(BinRequestModel, 'BinRequestPage');

export type BinView = Static<typeof BinModel>;
export type BinRequestView = Static<typeof BinRequestModel>;
export type BinReplayResultView = Static<typeof BinReplayResultModel>;
