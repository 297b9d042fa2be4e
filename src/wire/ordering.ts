// Ordered delivery per key, operator side (docs/routing.md, "Ordering").

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page } from './primitives.js';

export const EndpointOrderingModel = Type.Object({ onExhausted: Type.Enum(['block', 'skip']) }, { title: 'EndpointOrdering', additionalProperties: false });

export const BlockedKeyModel = Type.Object(
  {
    key: Type.String(),
    /** The blocked head. */
    deliveryId: Type.String(),
    eventId: Type.String(),
    lastCode: Nullable(Type.String()),
    lastStatus: Nullable(Type.Integer()),
    blockedAt: IsoDate,
    /** Deliveries of the key waiting behind the head. */
    waiting: Type.Integer(),
  },
  { title: 'BlockedKey', additionalProperties: false },
);
export const BlockedKeyPageModel = Page(BlockedKeyModel, 'BlockedKeyPage');

export const OrderingActionResultModel = Type.Object(
  { action: Type.Enum(['retry', 'skip', 'release']), key: Type.String(), deliveryId: Type.String(), cancelled: Type.Integer() },
  { title: 'OrderingActionResult', additionalProperties: false },
);

export type BlockedKeyView = Static<typeof BlockedKeyModel>;
export type OrderingActionResultView = Static<typeof OrderingActionResultModel>;
