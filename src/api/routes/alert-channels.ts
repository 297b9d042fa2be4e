// /v1/alerts/channels: where alert notifications go. Admin keys manage every channel (and operator
// channels, tenant null); a tenant key only its own tenant's. Secrets never come back: a webhook
// channel's signing secret is shown once, in the answer to its creation; Slack/Teams URLs (whose
// path is the token) and SMTP passwords are sealed at rest and never shown again.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REDACTED, redactForAudit, setPendingAudit, takePendingAudit } from '../../core/audit.js';
import type { AlertChannel, AlertChannelKind, AlertChannelTarget, AlertNotice } from '../../core/alert-types.js';
import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { generateSecret } from '../../signature/index.js';
import { principalOf, tenantFilter, tenantForWrite } from '../auth.js';
import type { ApiContext } from '../context.js';
import { iso } from '../render.js';
import { NoContent, responses } from '../responses.js';
import { AlertChannelCreatedModel, AlertChannelListModel, AlertChannelModel, AlertChannelTestResultModel, type AlertChannelView } from '../../wire/index.js';

interface ChannelFields {
  name?: string;
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string | null;
  password?: string | null;
  from?: string;
  to?: string[];
}

const fieldProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  host: { type: 'string', minLength: 1, maxLength: 253 },
  port: { type: 'integer', minimum: 1, maximum: 65535 },
  secure: { type: 'boolean' },
  username: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
  password: { type: ['string', 'null'], minLength: 1, maxLength: 1024 },
  from: { type: 'string', minLength: 3, maxLength: 320 },
  to: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 3, maxLength: 320 } },
} as const;

export const createChannelBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind'],
  properties: { ...fieldProperties, kind: { type: 'string', enum: ['webhook', 'slack', 'teams', 'email'] }, tenant: { type: ['string', 'null'], minLength: 1, maxLength: 128 } },
} as const;

const patchChannelBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: fieldProperties } as const;
export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

const HTTP_FIELDS = ['url'] as const;
const EMAIL_FIELDS = ['host', 'port', 'secure', 'username', 'password', 'from', 'to'] as const;
// One address, no display name: nothing that could carry a CR/LF or a second header into the mail.
const ADDRESS = /^[^\s@<>",;:()\\[\]]+@[A-Za-z0-9.-]+$/;
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^\d{1,3}(?:\.\d{1,3}){3}$/;

function invalid(path: string, message: string): never {
  throw new HookdError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
}

function refuseFields(body: ChannelFields, fields: readonly string[], kind: AlertChannelKind): void {
  for (const f of fields) if ((body as Record<string, unknown>)[f] !== undefined) invalid(`/body/${f}`, `not a setting of a ${kind} channel`);
}

/** The SSRF policy decides here, at create and update, and again at every send (alert-senders.ts). */
async function vet(ctx: ApiContext, url: string, path: string): Promise<void> {
  if (!/^https?:\/\//i.test(url)) throw new HookdError('invalid_url', 'A channel URL must be http:// or https://.', { errors: [{ path, message: 'must be http(s)' }] });
  const verdict = await ctx.vetUrl(url);
  if (!verdict.ok) throw new HookdError(verdict.code === 'blocked_address' ? 'blocked_address' : 'invalid_url', verdict.message, { errors: [{ path, message: verdict.message }] });
}

/** Build (or rebuild, for a PATCH over `current`) a channel target from the request, checked and vetted. */
export async function channelTarget(ctx: ApiContext, kind: AlertChannelKind, body: ChannelFields, current: AlertChannelTarget | null): Promise<AlertChannelTarget> {
  if (kind === 'email') {
    refuseFields(body, HTTP_FIELDS, kind);
    const was = current?.kind === 'email' ? current : null;
    const secure = body.secure ?? was?.secure ?? false;
    const target: AlertChannelTarget = {
      kind,
      host: body.host ?? was?.host ?? invalid('/body/host', 'required for an email channel'),
      port: body.port ?? was?.port ?? (secure ? 465 : 587),
      secure,
      username: body.username !== undefined ? body.username : (was?.username ?? null),
      password: body.password !== undefined ? body.password : (was?.password ?? null),
      from: body.from ?? was?.from ?? invalid('/body/from', 'required for an email channel'),
      to: body.to ?? was?.to ?? invalid('/body/to', 'required for an email channel'),
    };
    if (!HOSTNAME.test(target.host)) invalid('/body/host', 'must be a host name or an IPv4 address');
    if (!ADDRESS.test(target.from)) invalid('/body/from', 'must be one plain address (name@host)');
    target.to.forEach((a, i) => ADDRESS.test(a) || invalid(`/body/to/${i}`, 'must be one plain address (name@host)'));
    if (target.password !== null && target.username === null) invalid('/body/username', 'a password needs a username');
    // The SMTP host goes through the same policy as URLs (the sender dials the vetted address).
    await vet(ctx, `https://${target.host}:${target.port}/`, '/body/host');
    return target;
  }
  refuseFields(body, EMAIL_FIELDS, kind);
  const url = body.url ?? (current && current.kind !== 'email' ? current.url : invalid('/body/url', `required for a ${kind} channel`));
  if (body.url !== undefined) await vet(ctx, url, '/body/url');
  if (kind === 'webhook') return { kind, url, secret: current?.kind === 'webhook' ? current.secret : generateSecret() };
  return { kind, url };
}

export function renderAlertChannel(c: AlertChannel): AlertChannelView {
  const t = c.target;
  const config: AlertChannelView['config'] =
    t.kind === 'webhook'
      ? { url: t.url }
      : t.kind === 'email'
        ? { host: t.host, port: t.port, secure: t.secure, username: t.username, hasPassword: t.password !== null, from: t.from, to: t.to }
        : { urlHint: urlHintOf(t.url) };
  return { id: c.id, name: c.name, kind: t.kind, tenant: c.tenant, config, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) };
}

function urlHintOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}

/** A Slack/Teams URL is the credential itself: the audit diff must not keep it. */
function redactAuditUrl(): void {
  const pending = takePendingAudit();
  if (!pending) return;
  const diff = pending.diff as { body?: Record<string, unknown> } | null;
  if (diff?.body && typeof diff.body.url === 'string') diff.body.url = REDACTED;
  setPendingAudit({ ...pending, diff: redactForAudit(diff) });
}

async function loadChannel(ctx: ApiContext, request: FastifyRequest): Promise<AlertChannel> {
  const { id } = request.params as { id: string };
  const channel = await ctx.store.getAlertChannel(id, tenantFilter(principalOf(request)));
  if (!channel) throw new HookdError('not_found', `No alert channel ${id}.`);
  return channel;
}

export function registerAlertChannelRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['alerts'];

  app.post(
    '/v1/alerts/channels',
    { schema: { response: responses({ 201: AlertChannelCreatedModel }), tags, summary: 'Create an alert channel (a webhook channel\'s signing secret is returned once)', body: createChannelBody } },
    async (request, reply) => {
      const body = request.body as ChannelFields & { name: string; kind: AlertChannelKind; tenant?: string | null };
      const tenant = tenantForWrite(principalOf(request), body.tenant);
      if (body.kind === 'slack' || body.kind === 'teams') redactAuditUrl();
      const target = await channelTarget(ctx, body.kind, body, null);
      const now = ctx.now();
      const channel: AlertChannel = { id: newId('alertChannel'), name: body.name, tenant, target, createdAt: now, updatedAt: now };
      await ctx.store.insertAlertChannel(channel);
      return reply.code(201).send({ ...renderAlertChannel(channel), ...(target.kind === 'webhook' ? { secret: target.secret } : {}) });
    },
  );

  app.get('/v1/alerts/channels', { schema: { response: responses({ 200: AlertChannelListModel }), tags, summary: 'List alert channels (secrets redacted)' } }, async (request) => {
    const channels = await ctx.store.listAlertChannels(tenantFilter(principalOf(request)));
    return { data: channels.map(renderAlertChannel) };
  });

  app.get('/v1/alerts/channels/:id', { schema: { response: responses({ 200: AlertChannelModel }), tags, summary: 'Get an alert channel (secrets redacted)', params: idParams } }, async (request) =>
    renderAlertChannel(await loadChannel(ctx, request)),
  );

  app.patch(
    '/v1/alerts/channels/:id',
    { schema: { response: responses({ 200: AlertChannelModel }), tags, summary: 'Update an alert channel (its kind and tenant stay)', params: idParams, body: patchChannelBody } },
    async (request) => {
      const current = await loadChannel(ctx, request);
      const body = request.body as ChannelFields;
      if (current.target.kind === 'slack' || current.target.kind === 'teams') redactAuditUrl();
      const target = await channelTarget(ctx, current.target.kind, body, current.target);
      const next: AlertChannel = { ...current, name: body.name ?? current.name, target, updatedAt: ctx.now() };
      if (!(await ctx.store.updateAlertChannel(next, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No alert channel ${current.id}.`);
      return renderAlertChannel(next);
    },
  );

  app.delete(
    '/v1/alerts/channels/:id',
    { schema: { response: responses({ 204: NoContent }), tags, summary: 'Delete an alert channel no rule names any more', params: idParams } },
    async (request, reply) => {
      const current = await loadChannel(ctx, request);
      const users = (await ctx.store.listAlertRules(undefined)).filter((r) => r.channelIds.includes(current.id));
      if (users.length > 0) throw new HookdError('alert_channel_in_use', `Alert channel ${current.id} is named by rules ${users.map((r) => r.id).join(', ')}.`);
      if (!(await ctx.store.deleteAlertChannel(current.id, tenantFilter(principalOf(request))))) throw new HookdError('not_found', `No alert channel ${current.id}.`);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/alerts/channels/:id/test',
    { schema: { response: responses({ 200: AlertChannelTestResultModel }), tags, summary: 'Send a test notification to the channel now and answer the outcome', params: idParams } },
    async (request) => {
      const channel = await loadChannel(ctx, request);
      if (!ctx.alertSender) throw new HookdError('service_unavailable', 'This server has no alert sender.');
      const at = ctx.now();
      const notice: AlertNotice = {
        id: `alt_test_${newId('alertChannel').slice(4)}`,
        state: 'firing',
        ruleId: 'test',
        ruleName: 'test notification',
        ruleKind: 'endpoint_disabled',
        tenant: channel.tenant,
        subject: { kind: 'endpoint', id: 'test', name: 'test' },
        windowStart: at,
        windowMs: 60_000,
        summary: `A test notification for the channel "${channel.name}": nothing is wrong.`,
        value: null,
        threshold: null,
        createdAt: at,
      };
      const result = await ctx.alertSender.send(channel.target, notice);
      return { ok: result.ok, status: result.status, error: result.error, durationMs: result.durationMs };
    },
  );
}
