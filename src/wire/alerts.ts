// Alerts (docs/operations.md, "Alerts").

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable } from './primitives.js';

export const AlertNotificationModel = Type.Object(
  {
    id: Type.String(),
    rule: Type.String(),
    subject: Type.Object({ kind: Type.Enum(['endpoint', 'source']), id: Type.String() }, { additionalProperties: false }),
    tenant: Nullable(Type.String()),
    state: Type.Enum(['firing', 'resolved']),
    /** Start of the grouping window: one notification per rule, subject and window. */
    windowStart: IsoDate,
    summary: Type.String(),
    value: Nullable(Type.Number()),
    threshold: Nullable(Type.Number()),
    createdAt: IsoDate,
    /** pending while the channels are tried; failed when at least one refused it. */
    outcome: Type.Enum(['pending', 'sent', 'failed']),
    error: Nullable(Type.String()),
  },
  { title: 'AlertNotification', additionalProperties: false },
);

export const AlertNotificationListModel = Type.Object(
  { data: Type.Array(AlertNotificationModel) },
  { title: 'AlertNotificationList', additionalProperties: false },
);

export type AlertNotificationView = Static<typeof AlertNotificationModel>;
export type AlertNotificationListView = Static<typeof AlertNotificationListModel>;
