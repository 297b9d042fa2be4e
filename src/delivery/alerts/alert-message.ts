// How a notification reads on each channel: a JSON document for webhook channels (signed like our
// webhooks), a one-line text for Slack, a MessageCard for Teams, a subject and text for email.

import type { AlertNotice } from '../../core/alert-types.js';

export function alertTitle(notice: AlertNotice): string {
  const who = notice.subject.name ?? notice.subject.id;
  const state = notice.state === 'firing' ? 'FIRING' : 'RESOLVED';
  return `[hookd ${state}] ${notice.ruleName}: ${notice.subject.kind} ${who}`;
}

export function alertText(notice: AlertNotice): string {
  const lines = [
    alertTitle(notice),
    notice.summary,
    `Rule: ${notice.ruleName} (${notice.ruleKind}, ${notice.ruleId})`,
    `${notice.subject.kind === 'endpoint' ? 'Endpoint' : 'Source'}: ${notice.subject.id}`,
  ];
  if (notice.tenant !== null) lines.push(`Tenant: ${notice.tenant}`);
  lines.push(`Window: ${new Date(notice.windowStart).toISOString()} (+${Math.round(notice.windowMs / 1000)} s)`);
  if (notice.subject.kind === 'endpoint') lines.push(`Diagnose: hookd doctor ${notice.subject.id}`);
  return lines.join('\n');
}

/** The body of a webhook-channel notification: `type` names the rule state like our event types do. */
export function alertWebhookBody(notice: AlertNotice): Record<string, unknown> {
  return {
    type: notice.state === 'firing' ? 'hookd.alert.firing' : 'hookd.alert.resolved',
    timestamp: new Date(notice.createdAt).toISOString(),
    data: {
      id: notice.id,
      state: notice.state,
      rule: { id: notice.ruleId, name: notice.ruleName, kind: notice.ruleKind },
      tenant: notice.tenant,
      subject: notice.subject,
      windowStart: new Date(notice.windowStart).toISOString(),
      windowMs: notice.windowMs,
      summary: notice.summary,
      value: notice.value,
      threshold: notice.threshold,
    },
  };
}

export function alertSlackBody(notice: AlertNotice): Record<string, unknown> {
  return { text: alertText(notice) };
}

/** Teams incoming webhooks (connectors and workflows) accept the legacy MessageCard. */
export function alertTeamsBody(notice: AlertNotice): Record<string, unknown> {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: alertTitle(notice),
    themeColor: notice.state === 'firing' ? 'D7263D' : '2E8540',
    title: alertTitle(notice),
    text: alertText(notice).split('\n').slice(1).join('\n\n'),
  };
}
