// Alerts (issue 21 point 3): the channels a notification goes to, the rules that raise one, and the
// notification itself. Plain data shared by the evaluator, the channel senders and (later) the store.

/** Where a notification goes. Secrets (the webhook secret, tokens inside Slack/Teams URLs, the SMTP
 * password) are sealed at rest with the channel and redacted in every answer. */
export type AlertChannelTarget =
  | { kind: 'webhook'; url: string; /** `whsec_...`: the notification is signed like our webhooks. */ secret: string }
  | { kind: 'slack'; url: string }
  | { kind: 'teams'; url: string }
  | {
      kind: 'email';
      host: string;
      port: number;
      /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
      secure: boolean;
      username: string | null;
      password: string | null;
      from: string;
      to: string[];
    };

export type AlertChannelKind = AlertChannelTarget['kind'];

export type AlertRuleKind = 'endpoint_disabled' | 'deliveries_exhausted' | 'error_rate' | 'latency_p95' | 'source_rejecting';

/** One notification as the channels see it: a rule fired (or cleared) for one subject in one window. */
export interface AlertNotice {
  /** Unique per rule, subject and window: the webhook-id of a webhook channel, the Message-ID stem of an email. */
  id: string;
  state: 'firing' | 'resolved';
  ruleId: string;
  ruleName: string;
  ruleKind: AlertRuleKind;
  tenant: string | null;
  /** The endpoint or source the rule is about. */
  subject: { kind: 'endpoint' | 'source'; id: string; name: string | null };
  /** Start of the grouping window (ms since the epoch). */
  windowStart: number;
  windowMs: number;
  /** What was measured and the threshold it crossed, e.g. "error rate 63% over 5 min (threshold 50%)". */
  summary: string;
  /** Measured value and threshold, when the rule is a threshold rule. */
  value: number | null;
  threshold: number | null;
  createdAt: number;
}

/**
 * The stored notification: one row per (rule, subject, window, state). Inserting it is the claim:
 * the process whose insert wins sends it, every other process sees the row and sends nothing.
 */
export interface AlertNotificationRecord {
  id: string;
  ruleId: string;
  subjectKind: 'endpoint' | 'source';
  subjectId: string;
  tenant: string | null;
  windowStart: number;
  state: 'firing' | 'resolved';
  summary: string;
  value: number | null;
  threshold: number | null;
  createdAt: number;
  /** pending until the channels were tried; failed when at least one channel refused it. */
  outcome: 'pending' | 'sent' | 'failed';
  /** The channels' errors, joined; null when all accepted it. */
  error: string | null;
}

/** A rule and the channels it notifies (channel targets already opened from their sealed form). */
export interface AlertRule {
  id: string;
  name: string;
  kind: AlertRuleKind;
  /** null: an operator rule (every tenant's endpoints); a tenant's rule sees only that tenant. */
  tenant: string | null;
  /** Only these endpoints or sources; empty for all the rule's tenant can see. */
  subjects: string[];
  /** error_rate: a fraction 0..1; latency_p95: milliseconds; source_rejecting: a fraction 0..1. */
  threshold: number | null;
  windowMs: number;
  channels: { id: string; target: AlertChannelTarget }[];
}

/** A stored channel. The target carries its secrets in clear in memory only: the stores seal them. */
export interface AlertChannel {
  id: string;
  name: string;
  /** null: an operator channel. */
  tenant: string | null;
  target: AlertChannelTarget;
  createdAt: number;
  updatedAt: number;
}

/** A stored rule, as managed over the API; the evaluator turns it into an AlertRule with its channels. */
export interface AlertRuleRecord {
  id: string;
  name: string;
  kind: AlertRuleKind;
  tenant: string | null;
  threshold: number | null;
  windowMs: number;
  /** Only these endpoints (empty: all the rule's tenant can see). */
  endpointIds: string[];
  /** Only these sources (source_rejecting; empty: all). */
  sourceIds: string[];
  channelIds: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Per source, the inbound requests of a window and how many were rejected (source_rejecting). */
export interface SourceVerdictCount {
  sourceId: string;
  tenant: string | null;
  total: number;
  rejected: number;
}
