// Alert channels against real servers: a loopback HTTP receiver (webhook signed with the channel
// secret, Slack, Teams) and a real SMTP server (smtp-server) with authentication.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertNoticeId, alertTransition, alertWindowStart } from '../src/core/alert-grouping.js';
import type { AlertNotice } from '../src/core/alert-types.js';
import { createAlertSender, type AlertSender } from '../src/delivery/alerts/alert-senders.js';
import { createHttpSender } from '../src/delivery/http-sender.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import type { Sender } from '../src/delivery/sender-types.js';
import { verifyStandardWebhook } from '../src/signature/standard-webhooks.js';
import { listen } from './helpers/delivery-fixtures.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const notice: AlertNotice = {
  id: alertNoticeId('rul_1', 'ep_1', 1_700_000_100_000, 'firing'),
  state: 'firing',
  ruleId: 'rul_1',
  ruleName: 'Errors over half',
  ruleKind: 'error_rate',
  tenant: 'acme',
  subject: { kind: 'endpoint', id: 'ep_1', name: 'orders' },
  windowStart: 1_700_000_100_000,
  windowMs: 300_000,
  summary: 'error rate 63% over 5 min (threshold 50%)',
  value: 0.63,
  threshold: 0.5,
  createdAt: 1_700_000_150_000,
};

interface Seen { path: string; headers: http.IncomingHttpHeaders; body: string }
const seen: Seen[] = [];
let httpPort = 0;
let closeHttp: () => Promise<void> = async () => {};
let http1: Sender;
let open: AlertSender;
let closed: AlertSender;

beforeAll(async () => {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end('ok');
    });
  });
  ({ port: httpPort, close: closeHttp } = await listen(server));
  const policy = createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'] });
  http1 = createHttpSender({ policy });
  open = createAlertSender({ http: http1, policy, timeoutMs: 5_000 });
  const strict = createSsrfPolicy({ allowPrivate: [] });
  closed = createAlertSender({ http: http1, policy: strict, timeoutMs: 5_000 });
});

afterAll(async () => {
  await http1.close();
  await closeHttp();
});

describe('alert grouping', () => {
  it('aligns windows to the epoch and notifies once per window, then resolves once', () => {
    expect(alertWindowStart(1_700_000_123_456, 300_000)).toBe(1_700_000_100_000);
    expect(() => alertWindowStart(1, 0)).toThrow(RangeError);
    expect(alertTransition({ breaching: true, wasFiring: false, firedThisWindow: false })).toBe('fire');
    expect(alertTransition({ breaching: true, wasFiring: true, firedThisWindow: true })).toBe('none');
    expect(alertTransition({ breaching: true, wasFiring: true, firedThisWindow: false })).toBe('fire');
    expect(alertTransition({ breaching: false, wasFiring: true, firedThisWindow: true })).toBe('resolve');
    expect(alertTransition({ breaching: false, wasFiring: false, firedThisWindow: false })).toBe('none');
  });
});

describe('HTTP alert channels', () => {
  it('signs a webhook-channel notification with the channel secret (Standard Webhooks)', async () => {
    seen.length = 0;
    const result = await open.send({ kind: 'webhook', url: `http://127.0.0.1:${httpPort}/hook`, secret: SECRET }, notice);
    expect(result).toMatchObject({ ok: true, status: 200, error: null });
    const [req] = seen;
    expect(req?.headers['webhook-id']).toBe(notice.id);
    const verified = verifyStandardWebhook({ body: req!.body, headers: req!.headers as Record<string, string>, secrets: [SECRET] });
    expect(verified.ok).toBe(true);
    const body = JSON.parse(req!.body) as { type: string; data: { rule: { id: string }; subject: { id: string }; value: number } };
    expect(body.type).toBe('hookd.alert.firing');
    expect(body.data).toMatchObject({ rule: { id: 'rul_1' }, subject: { id: 'ep_1' }, value: 0.63 });
    // A wrong secret does not verify: the signature really is keyed by the channel secret.
    const other = verifyStandardWebhook({ body: req!.body, headers: req!.headers as Record<string, string>, secrets: ['whsec_' + Buffer.alloc(24, 7).toString('base64')] });
    expect(other.ok).toBe(false);
  });

  it('posts Slack text and a Teams MessageCard; a resolved notice says so', async () => {
    seen.length = 0;
    expect((await open.send({ kind: 'slack', url: `http://127.0.0.1:${httpPort}/slack/T0/B0/tok` }, notice)).ok).toBe(true);
    const resolved = { ...notice, state: 'resolved' as const, id: alertNoticeId('rul_1', 'ep_1', notice.windowStart, 'resolved') };
    expect((await open.send({ kind: 'teams', url: `http://127.0.0.1:${httpPort}/teams` }, resolved)).ok).toBe(true);
    const slack = JSON.parse(seen[0]!.body) as { text: string };
    expect(slack.text).toContain('[hookd FIRING] Errors over half: endpoint orders');
    expect(slack.text).toContain('hookd doctor ep_1');
    const teams = JSON.parse(seen[1]!.body) as { '@type': string; title: string };
    expect(teams['@type']).toBe('MessageCard');
    expect(teams.title).toContain('[hookd RESOLVED]');
  });

  it('reports a failing channel without throwing', async () => {
    const result = await open.send({ kind: 'slack', url: `http://127.0.0.1:${httpPort}/fail` }, notice);
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(result.error).toContain('500');
  });

  it('applies the SSRF policy: loopback is refused unless allowed, and nothing is sent', async () => {
    seen.length = 0;
    const result = await closed.send({ kind: 'webhook', url: `http://127.0.0.1:${httpPort}/hook`, secret: SECRET }, notice);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^blocked_address/);
    const mail = await closed.send(
      { kind: 'email', host: '127.0.0.1', port: 25, secure: false, username: null, password: null, from: 'a@b.c', to: ['d@e.f'] },
      notice,
    );
    expect(mail.error).toMatch(/^blocked_address/);
    expect(seen).toHaveLength(0);
  });
});

describe('email alert channel (real SMTP server)', () => {
  const mails: { from: string; to: string[]; user: string | undefined; raw: string }[] = [];
  let smtp: SMTPServer;
  let smtpPort = 0;

  beforeAll(async () => {
    smtp = new SMTPServer({
      // Plain SMTP on loopback for the test; AUTH over it needs allowInsecureAuth.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'alerts' && auth.password === 's3cret') cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends the notification over SMTP with authentication', async () => {
    const result = await open.send(
      { kind: 'email', host: '127.0.0.1', port: smtpPort, secure: false, username: 'alerts', password: 's3cret', from: 'hookd@example.test', to: ['ops@example.test', 'oncall@example.test'] },
      notice,
    );
    expect(result).toMatchObject({ ok: true, status: 250, error: null });
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail).toMatchObject({ from: 'hookd@example.test', to: ['ops@example.test', 'oncall@example.test'], user: 'alerts' });
    expect(mail!.raw).toContain('Subject: [hookd FIRING] Errors over half: endpoint orders');
    expect(mail!.raw).toContain(`Message-ID: <${notice.id}@hookd>`);
    expect(mail!.raw).toContain('error rate 63% over 5 min (threshold 50%)');
  });

  it('returns a wrong password as a failed send (535), never throws', async () => {
    const result = await open.send(
      { kind: 'email', host: '127.0.0.1', port: smtpPort, secure: false, username: 'alerts', password: 'wrong', from: 'hookd@example.test', to: ['ops@example.test'] },
      notice,
    );
    expect(result.ok).toBe(false);
    expect(result.status).toBe(535);
    expect(result.error).not.toContain('wrong');
  });
});
