// Built-in transforms: any event as a Slack incoming-webhook message, a Discord webhook message or a
// Microsoft Teams message card, each with the event type, the tenant, a summary line and a link to
// the event in the dashboard. Pure functions of the event: no sandbox needed, and the shapes are the
// ones those services document (Slack: `text` + Block Kit `blocks`; Discord: `content` + `embeds`
// within its length limits; Teams: a MessageCard with `summary`, `sections`, `potentialAction`).

import type { TransformPreset } from './types.js';

export interface PresetEvent {
  id: string;
  type: string;
  tenant: string | null;
  /** ISO 8601. */
  createdAt: string;
  data: unknown;
}

/** "customer.tier: vip · channel: web" from the first scalar fields of `data`, at most `max` characters. */
export function summaryLine(data: unknown, max = 200): string {
  const parts: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number): void => {
    if (parts.length >= 6 || depth > 3) return;
    if (value === null || typeof value !== 'object') {
      if (prefix !== '') parts.push(`${prefix}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      return;
    }
    if (Array.isArray(value)) {
      if (prefix !== '') parts.push(`${prefix}: ${value.length} item${value.length === 1 ? '' : 's'}`);
      return;
    }
    for (const [key, inner] of Object.entries(value)) walk(inner, prefix === '' ? key : `${prefix}.${key}`, depth + 1);
  };
  if (data === null || typeof data !== 'object') return clip(data === undefined ? 'no data' : typeof data === 'string' ? data : JSON.stringify(data), max);
  walk(data, '', 0);
  return clip(parts.length === 0 ? 'no fields' : parts.join(' · '), max);
}

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Where the dashboard shows the event (hash route of web/app.js). */
export function eventLink(baseUrl: string, eventId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#/events/${encodeURIComponent(eventId)}`;
}

/** Slack's mrkdwn treats &, < and > specially. */
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function presetBody(preset: TransformPreset, event: PresetEvent, baseUrl: string): Record<string, unknown> {
  const link = eventLink(baseUrl, event.id);
  const tenant = event.tenant ?? '(no tenant)';
  const summary = summaryLine(event.data);
  switch (preset) {
    case 'slack':
      return {
        // The fallback text (notifications, clients without blocks); Slack requires text or blocks.
        text: clip(`${event.type} (${tenant}): ${summary}`, 3000),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: clip(event.type, 150), emoji: false } },
          { type: 'section', text: { type: 'mrkdwn', text: clip(slackEscape(summary), 3000) } },
          {
            type: 'context',
            elements: [
              { type: 'mrkdwn', text: clip(`*Tenant:* ${slackEscape(tenant)} · *Event:* <${link}|${slackEscape(event.id)}> · ${event.createdAt}`, 3000) },
            ],
          },
        ],
      };
    case 'discord':
      return {
        content: clip(`**${event.type}** (${tenant})`, 2000),
        // Mentions in event data must never ping anyone.
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: clip(event.type, 256),
            description: clip(summary, 4096),
            url: link,
            timestamp: event.createdAt,
            fields: [
              { name: 'Tenant', value: clip(tenant, 1024), inline: true },
              { name: 'Event', value: clip(event.id, 1024), inline: true },
            ],
          },
        ],
      };
    case 'teams':
      return {
        '@type': 'MessageCard',
        '@context': 'http://schema.org/extensions',
        summary: clip(`${event.type} (${tenant})`, 256),
        themeColor: '0076D7',
        title: event.type,
        sections: [
          {
            activityTitle: event.type,
            activitySubtitle: event.createdAt,
            text: summary,
            facts: [
              { name: 'Tenant', value: tenant },
              { name: 'Event', value: event.id },
            ],
          },
        ],
        potentialAction: [{ '@type': 'OpenUri', name: 'Open in hookd', targets: [{ os: 'default', uri: link }] }],
      };
  }
}
