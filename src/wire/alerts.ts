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

/** A channel's readable settings; secrets are never here (see AlertChannelCreated for the webhook secret). */
export const AlertChannelConfigModel = Type.Object(
  {
    /** webhook: the URL notifications are POSTed to. */
    url: Type.Optional(Type.String()),
    /** slack/teams: scheme and host only; the path is the token and stays sealed. */
    urlHint: Type.Optional(Type.String()),
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer()),
    secure: Type.Optional(Type.Boolean()),
    username: Type.Optional(Nullable(Type.String())),
    /** email: whether an SMTP password is stored (it is never shown). */
    hasPassword: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.String()),
    to: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'AlertChannelConfig', additionalProperties: false },
);

export const AlertChannelModel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: Type.Enum(['webhook', 'slack', 'teams', 'email']),
    tenant: Nullable(Type.String()),
    config: AlertChannelConfigModel,
    createdAt: IsoDate,
    updatedAt: IsoDate,
  },
  { title: 'AlertChannel', additionalProperties: false },
);

/** The answer to creating a webhook channel: its signing secret, shown this once. */
export const AlertChannelCreatedModel = Type.Object(
  { ...AlertChannelModel.properties, secret: Type.Optional(Type.String()) },
  { title: 'AlertChannelCreated', additionalProperties: false },
);

export const AlertChannelListModel = Type.Object({ data: Type.Array(AlertChannelModel) }, { title: 'AlertChannelList', additionalProperties: false });

export const AlertChannelTestResultModel = Type.Object(
  {
    ok: Type.Boolean(),
    /** HTTP status, or the SMTP reply code; null when nothing answered. */
    status: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    durationMs: Type.Number(),
  },
  { title: 'AlertChannelTestResult', additionalProperties: false },
);

export const AlertRuleModel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: Type.Enum(['endpoint_disabled', 'deliveries_exhausted', 'error_rate', 'latency_p95', 'source_rejecting']),
    tenant: Nullable(Type.String()),
    /** error_rate, source_rejecting: a fraction 0..1; latency_p95: milliseconds; null for the event rules. */
    threshold: Nullable(Type.Number()),
    windowSeconds: Type.Integer(),
    endpoints: Type.Array(Type.String()),
    sources: Type.Array(Type.String()),
    channels: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  },
  { title: 'AlertRule', additionalProperties: false },
);

export const AlertRuleListModel = Type.Object({ data: Type.Array(AlertRuleModel) }, { title: 'AlertRuleList', additionalProperties: false });

export type AlertChannelView = Static<typeof AlertChannelModel>;
export type AlertChannelCreatedView = Static<typeof AlertChannelCreatedModel>;
export type AlertChannelListView = Static<typeof AlertChannelListModel>;
export type AlertChannelTestResultView = Static<typeof AlertChannelTestResultModel>;
export type AlertRuleView = Static<typeof AlertRuleModel>;
export type AlertRuleListView = Static<typeof AlertRuleListModel>;
