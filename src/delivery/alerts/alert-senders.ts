// Sends one notification to one channel. HTTP channels (webhook, Slack, Teams) go through the same
// SSRF-pinned sender as deliveries; email goes over SMTP with nodemailer, its host vetted by the same
// policy and the connection made to the vetted address (no second DNS lookup to rebind).
//
// A failed send is returned, never thrown: the evaluator records it on the notification and moves on
// (one broken channel must not stop the others).

import nodemailer from 'nodemailer';
import { signatureHeader } from '../../signature/standard-webhooks.js';
import type { AlertChannelTarget, AlertNotice } from '../../core/alert-types.js';
import type { Sender } from '../sender-types.js';
import type { SsrfPolicy } from '../ssrf-policy.js';
import { alertSlackBody, alertTeamsBody, alertText, alertTitle, alertWebhookBody } from './alert-message.js';

export interface AlertSendResult {
  ok: boolean;
  /** HTTP status, or the SMTP reply code of the accepted message; null when nothing answered. */
  status: number | null;
  /** Why it failed (secrets never included). */
  error: string | null;
  durationMs: number;
}

export interface AlertSenderDeps {
  http: Sender;
  policy: SsrfPolicy;
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
  now?: () => number;
}

export interface AlertSender {
  send(target: AlertChannelTarget, notice: AlertNotice): Promise<AlertSendResult>;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export function createAlertSender(deps: AlertSenderDeps): AlertSender {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const now = deps.now ?? Date.now;

  async function postJson(url: string, bytes: Buffer, extra: Record<string, string>): Promise<AlertSendResult> {
    const vetted = await deps.policy.vetUrl(url);
    if (!vetted.ok) return { ok: false, status: null, error: `${vetted.code}: ${vetted.message}`, durationMs: 0 };
    const result = await deps.http.send({
      url,
      headers: { 'content-type': 'application/json', 'user-agent': deps.userAgent ?? 'hookd-alerts', ...extra },
      body: bytes,
      timeoutMs,
      connectTimeoutMs: Math.min(timeoutMs, 5_000),
      maxResponseBytes: 4096,
    });
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const error = ok ? null : result.errorMessage ?? `the channel answered HTTP ${result.status}`;
    return { ok, status: result.status, error, durationMs: result.durationMs };
  }

  async function sendEmail(target: Extract<AlertChannelTarget, { kind: 'email' }>, notice: AlertNotice): Promise<AlertSendResult> {
    const started = now();
    const vetted = await deps.policy.vetHost(new URL(`smtp://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`));
    if (!vetted.ok) return { ok: false, status: null, error: `${vetted.code}: ${vetted.message}`, durationMs: 0 };
    const transport = nodemailer.createTransport({
      host: vetted.addresses[0],
      port: target.port,
      secure: target.secure,
      // The certificate is checked against the configured name, not the vetted address.
      tls: { servername: vetted.hostname },
      auth: target.username !== null ? { user: target.username, pass: target.password ?? '' } : undefined,
      connectionTimeout: Math.min(timeoutMs, 5_000),
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    try {
      const info = await transport.sendMail({
        from: target.from,
        to: target.to,
        subject: alertTitle(notice),
        text: alertText(notice),
        messageId: `<${notice.id}@hookd>`,
        headers: { 'X-Hookd-Alert-State': notice.state, 'X-Hookd-Alert-Rule': notice.ruleId },
      });
      const code = /^(\d{3})/.exec(info.response)?.[1];
      return { ok: true, status: code === undefined ? null : Number(code), error: null, durationMs: now() - started };
    } catch (err) {
      const e = err as { message?: string; responseCode?: number };
      return { ok: false, status: e.responseCode ?? null, error: e.message ?? String(err), durationMs: now() - started };
    } finally {
      transport.close();
    }
  }

  return {
    async send(target, notice) {
      switch (target.kind) {
        case 'webhook': {
          const bytes = json(alertWebhookBody(notice));
          const timestamp = Math.floor(now() / 1000);
          return postJson(target.url, bytes, {
            'webhook-id': notice.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader([target.secret], notice.id, timestamp, bytes),
          });
        }
        case 'slack':
          return postJson(target.url, json(alertSlackBody(notice)), {});
        case 'teams':
          return postJson(target.url, json(alertTeamsBody(notice)), {});
        case 'email':
          return sendEmail(target, notice);
      }
    },
  };
}
