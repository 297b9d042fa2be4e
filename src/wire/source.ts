// Inbound sources and their request log.

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page, StringMap } from './primitives.js';

/** A value taken from a request: fixed, from a header, or from a JSON pointer into the body. */
const TakenFrom = Type.Union([Type.String(), Type.Object({ header: Type.String() }, { additionalProperties: false }), Type.Object({ pointer: Type.String() }, { additionalProperties: false })]);

/** The verification settings, scheme first; secret members read "[redacted]" except in the create answer. */
export const VerifyModel = Type.Object({ scheme: Type.String() }, { title: 'SourceVerify', additionalProperties: true });

export const SourceModel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    tenant: Nullable(Type.String()),
    ingressUrl: Type.String(),
    verify: VerifyModel,
    allowIps: Nullable(Type.Array(Type.String())),
    /** How the event type is taken from a request (a fixed type, a header, a JSON path ...). */
    eventType: Nullable(TakenFrom),
    /** How the ordering key is taken from a request; null: events are unordered. */
    orderingKey: Nullable(TakenFrom),
    maxBodyBytes: Nullable(Type.Integer()),
    /** The broker this source consumes from (docs/destinations.md, "Broker sources"); null: HTTP only. */
    consume: Nullable(
      Type.Object(
        { url: Type.String(), username: Nullable(Type.String()), password: Nullable(Type.Literal('[redacted]')) },
        { title: 'SourceConsume', additionalProperties: false },
      ),
    ),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  },
  { title: 'Source', additionalProperties: false },
);

export const InboundRequestModel = Type.Object(
  {
    id: Type.String(),
    sourceId: Type.String(),
    receivedAt: IsoDate,
    verdict: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]),
    code: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    status: Type.Integer(),
    remoteAddress: Nullable(Type.String()),
    headers: StringMap,
    body: Nullable(Type.String()),
    dedupeKey: Nullable(Type.String()),
    eventId: Nullable(Type.String()),
  },
  { title: 'InboundRequest', additionalProperties: false },
);

export const ReplayResultModel = Type.Object(
  { id: Type.String(), eventId: Type.String(), type: Type.String(), replayOf: Type.String(), deliveries: Type.Integer(), createdAt: IsoDate },
  { title: 'ReplayResult', additionalProperties: false },
);

export const SourcePageModel = Page(SourceModel, 'SourcePage');
export const InboundRequestPageModel = Page(InboundRequestModel, 'InboundRequestPage');

export type SourceView = Static<typeof SourceModel>;
export type InboundRequestView = Static<typeof InboundRequestModel>;
export type ReplayResultView = Static<typeof ReplayResultModel>;
