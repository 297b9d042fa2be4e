// Events and publish answers. `data` is the published JSON exactly as written (any JSON value).

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable } from './primitives.js';

const eventProps = {
  id: Type.String(),
  type: Type.String(),
  tenant: Nullable(Type.String()),
  data: Type.Unknown(),
  idempotencyKey: Nullable(Type.String()),
  sourceId: Nullable(Type.String()),
  createdAt: IsoDate,
};

export const EventModel = Type.Object(eventProps, { title: 'Event', additionalProperties: false });

/** The pull feed's page: `nextCursor` is where to continue; `done` says the feed is drained for now. */
export const EventFeedModel = Type.Object({ data: Type.Array(EventModel), nextCursor: Type.String(), done: Type.Boolean() }, { title: 'EventFeed', additionalProperties: false });

export const PublishResultModel = Type.Object(
  { id: Type.String(), type: Type.String(), tenant: Nullable(Type.String()), createdAt: IsoDate, deliveries: Type.Integer(), replayed: Type.Boolean() },
  { title: 'PublishResult', additionalProperties: false },
);

export const BatchItemResultModel = Type.Union([
  Type.Object(
    { status: Type.Union([Type.Literal(200), Type.Literal(202)]), id: Type.String(), type: Type.String(), createdAt: IsoDate, deliveries: Type.Integer(), replayed: Type.Boolean() },
    { additionalProperties: false },
  ),
  Type.Object({ status: Type.Literal(409), code: Type.Literal('idempotency_conflict'), id: Type.String() }, { additionalProperties: false }),
]);
export const BatchPublishResultModel = Type.Object({ data: Type.Array(BatchItemResultModel), deliveries: Type.Integer() }, { title: 'BatchPublishResult', additionalProperties: false });

/** The dashboard's newest-first list: each event with a count of its deliveries by status. */
export const RecentEventsModel = Type.Object(
  {
    data: Type.Array(Type.Object({ ...eventProps, seq: Type.Integer(), deliveries: Type.Record(Type.String(), Type.Integer()) }, { additionalProperties: false })),
    before: Nullable(Type.Integer()),
    headSeq: Type.Integer(),
    headCursor: Type.String(),
    at: IsoDate,
  },
  { title: 'RecentEvents', additionalProperties: false },
);

export type EventView = Static<typeof EventModel>;
export type EventFeedView = Static<typeof EventFeedModel>;
export type PublishResultView = Static<typeof PublishResultModel>;
export type BatchPublishResultView = Static<typeof BatchPublishResultModel>;
export type RecentEventsView = Static<typeof RecentEventsModel>;
