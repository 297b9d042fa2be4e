// Deliveries, their attempts and bulk retries.

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page, StringMap } from './primitives.js';

export const DeliveryStatusModel = Type.Enum(['pending', 'sending', 'succeeded', 'failed', 'cancelled']);

export const AttemptModel = Type.Object(
  {
    id: Type.String(),
    deliveryId: Type.String(),
    endpointId: Type.String(),
    eventId: Type.String(),
    createdAt: IsoDate,
    durationMs: Type.Number(),
    responseStatus: Nullable(Type.Integer()),
    code: Type.String(),
    outcome: Type.Enum(['success', 'retry', 'retry_after', 'throttle', 'disable_endpoint', 'fail']),
    trigger: Type.Enum(['scheduled', 'manual', 'recover', 'bulk']),
    message: Nullable(Type.String()),
    request: Type.Object({ headers: StringMap }, { additionalProperties: false }),
    response: Nullable(Type.Object({ headers: StringMap, body: Nullable(Type.String()) }, { additionalProperties: false })),
  },
  { title: 'Attempt', additionalProperties: false },
);

const deliveryProps = {
  id: Type.String(),
  eventId: Type.String(),
  endpointId: Type.String(),
  tenant: Nullable(Type.String()),
  eventType: Type.String(),
  status: DeliveryStatusModel,
  /** The event's ordering key (docs/routing.md); null: unordered. */
  orderingKey: Nullable(Type.String()),
  /** An exhausted head holding its key (endpoint ordering.onExhausted "block"). */
  orderingBlocked: Type.Boolean(),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(IsoDate),
  lastCode: Nullable(Type.String()),
  lastStatus: Nullable(Type.Integer()),
  createdAt: IsoDate,
  updatedAt: IsoDate,
};

export const DeliveryModel = Type.Object(deliveryProps, { title: 'Delivery', additionalProperties: false });
/** GET /v1/deliveries/{id}: the delivery with its attempt log (oldest first) in place of the count. */
export const DeliveryWithAttemptsModel = Type.Object({ ...deliveryProps, attempts: Type.Array(AttemptModel) }, { title: 'DeliveryWithAttempts', additionalProperties: false });

/** POST /v1/endpoints/{id}/test: the event made, its delivery, and the attempt if it finished in time. */
export const EndpointTestResultModel = Type.Object(
  { eventId: Type.String(), deliveryId: Type.String(), attempt: Nullable(AttemptModel) },
  { title: 'EndpointTestResult', additionalProperties: false },
);

export const BulkRetryModel = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum(['running', 'completed', 'cancelled', 'failed']),
    filter: Type.Object(
      {
        status: Nullable(Type.String()),
        endpoint: Nullable(Type.String()),
        event: Nullable(Type.String()),
        type: Nullable(Type.String()),
        since: Nullable(IsoDate),
        until: Nullable(IsoDate),
      },
      { additionalProperties: false },
    ),
    total: Nullable(Type.Integer()),
    processed: Type.Integer(),
    requeued: Type.Integer(),
    skipped: Type.Integer(),
    cancelRequested: Type.Boolean(),
    error: Nullable(Type.String()),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    finishedAt: Nullable(IsoDate),
  },
  { title: 'BulkRetry', additionalProperties: false },
);

export const DeliveryPageModel = Page(DeliveryModel, 'DeliveryPage');

export type DeliveryStatusView = Static<typeof DeliveryStatusModel>;
export type AttemptView = Static<typeof AttemptModel>;
export type DeliveryView = Static<typeof DeliveryModel>;
export type DeliveryWithAttemptsView = Static<typeof DeliveryWithAttemptsModel>;
export type EndpointTestResultView = Static<typeof EndpointTestResultModel>;
export type BulkRetryView = Static<typeof BulkRetryModel>;
