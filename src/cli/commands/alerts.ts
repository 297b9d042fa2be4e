// `hookd alerts channels|rules|notifications`: where alerts go, what raises them, and what was sent
// (docs/operations.md, "Alerts"). A tenant key manages its own tenant's; an admin key every one.

import { InvalidArgumentError, type Command } from 'commander';
import { contextOf, enc, shortTime, withJson } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { choiceOption, intOption, listOption, secretFlag, secretFromEnv } from '../input.js';
import type { Output } from '../output.js';

interface ChannelView {
  id: string;
  name: string;
  kind: string;
  tenant: string | null;
  config: Record<string, unknown>;
  secret?: string;
  createdAt: string;
}

interface RuleView {
  id: string;
  name: string;
  kind: string;
  tenant: string | null;
  threshold: number | null;
  windowSeconds: number;
  endpoints: string[];
  sources: string[];
  channels: string[];
  enabled: boolean;
}

interface NotificationView {
  id: string;
  rule: string;
  subject: { kind: string; id: string };
  tenant: string | null;
  state: string;
  summary: string;
  createdAt: string;
  outcome: string;
  error: string | null;
}

const CHANNEL_KINDS = ['webhook', 'slack', 'teams', 'email'] as const;
const RULE_KINDS = ['endpoint_disabled', 'deliveries_exhausted', 'error_rate', 'latency_p95', 'source_rejecting'] as const;

function numberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

function channelSummary(c: ChannelView): string {
  const cfg = c.config;
  if (c.kind === 'email') return `${String(cfg.host)}:${String(cfg.port)} -> ${(cfg.to as string[]).join(', ')}`;
  return typeof cfg.url === 'string' ? cfg.url : typeof cfg.urlHint === 'string' ? cfg.urlHint : '';
}

interface ChannelFlags {
  name?: string;
  url?: string;
  urlEnv?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string;
  passwordEnv?: string;
  from?: string;
  to?: string[];
  tenant?: string;
}

/**
 * The SMTP password comes from an environment variable, and so may the URL (a Slack or Teams
 * incoming-webhook URL is itself the credential): a command line ends up in shell history and ps.
 */
function channelBody(opts: ChannelFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of ['name', 'url', 'host', 'port', 'secure', 'username', 'from', 'to', 'tenant'] as const) if (opts[k] !== undefined) body[k] = opts[k];
  const url = secretFlag('--url', opts.url, opts.urlEnv);
  if (url !== undefined) body.url = url;
  if (opts.passwordEnv !== undefined) body.password = secretFromEnv('--password-env', opts.passwordEnv);
  return body;
}

function channelOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'webhook/slack/teams: the URL to POST to (vetted by the SSRF policy)')
    .option('--url-env <var>', 'webhook/slack/teams: read the URL from this environment variable (a Slack or Teams URL is a secret)')
    .option('--host <host>', 'email: the SMTP server')
    .option('--port <n>', 'email: the SMTP port (default 587, or 465 with --secure)', intOption(1, 65535))
    .option('--secure', 'email: TLS from the first byte (port 465); otherwise STARTTLS when offered')
    .option('--username <user>', 'email: SMTP user')
    .option('--password-env <var>', 'email: read the SMTP password from this environment variable')
    .option('--from <address>', 'email: the sender address')
    .option('--to <addresses>', 'email: recipients (comma-separated or repeated)', listOption);
}

function printRules(out: Output, rules: RuleView[]): void {
  out.table(
    ['ID', 'NAME', 'KIND', 'THRESHOLD', 'WINDOW', 'TENANT', 'CHANNELS', 'ENABLED'],
    rules.map((r) => [r.id, r.name, r.kind, r.threshold, `${r.windowSeconds}s`, r.tenant ?? '(operator)', r.channels.join(','), r.enabled ? 'yes' : 'no']),
  );
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('Alert channels, rules and the notifications sent');
  const channels = alerts.command('channels').description('Where alert notifications go (webhook, Slack, Teams, email)');

  withJson(channels.command('list').description('List alert channels (secrets redacted)')).action(async (_opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<{ data: ChannelView[] }>('/v1/alerts/channels');
    if (ctx.out.json) return ctx.out.document(body);
    if (body.data.length === 0) return ctx.out.note('no alert channels');
    ctx.out.table(['ID', 'NAME', 'KIND', 'TENANT', 'TARGET', 'CREATED'], body.data.map((c) => [c.id, c.name, c.kind, c.tenant ?? '(operator)', channelSummary(c), shortTime(c.createdAt)]));
  });

  withJson(
    channelOptions(
      channels
        .command('create')
        .description('Create an alert channel (a webhook channel prints its signing secret once)')
        .requiredOption('--name <name>', 'What to call it')
        .requiredOption('--kind <kind>', CHANNEL_KINDS.join(' | '), choiceOption(CHANNEL_KINDS))
        .option('--tenant <tenant>', 'Admin keys: the tenant it belongs to (default: operator)'),
    ),
  ).action(async (opts: ChannelFlags & { kind: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.post<ChannelView>('/v1/alerts/channels', { ...channelBody(opts), kind: opts.kind });
    if (ctx.out.json) return ctx.out.document(body);
    ctx.out.fields([['id', body.id], ['kind', body.kind], ['target', channelSummary(body)], ...(body.secret ? ([['secret (shown once)', body.secret]] as [string, unknown][]) : [])]);
  });

  withJson(channelOptions(channels.command('update').description('Change an alert channel (its kind and tenant stay)').argument('<id>', 'ach_...').option('--name <name>', 'New name'))).action(
    async (id: string, opts: ChannelFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const patch = channelBody(opts);
      if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give --name, --url, --host, ...');
      const { body } = await ctx.client.patch<ChannelView>(`/v1/alerts/channels/${enc(id)}`, patch);
      if (ctx.out.json) return ctx.out.document(body);
      ctx.out.line(`updated ${body.id}: ${channelSummary(body)}`);
    },
  );

  withJson(channels.command('delete').description('Delete an alert channel no rule names').argument('<id>', 'ach_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/alerts/channels/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, deleted: true });
    else ctx.out.line(`deleted ${id}`);
  });

  withJson(channels.command('test').description('Send a test notification to the channel now').argument('<id>', 'ach_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.post<{ ok: boolean; status: number | null; error: string | null; durationMs: number }>(`/v1/alerts/channels/${enc(id)}/test`, {});
    if (ctx.out.json) ctx.out.document(body);
    else ctx.out.line(body.ok ? `sent (${body.status ?? '-'}, ${body.durationMs} ms)` : `failed: ${body.error ?? 'no answer'}`);
    if (!body.ok) process.exitCode = 1;
  });

  const rules = alerts.command('rules').description('What raises an alert');
  withJson(rules.command('list').description('List alert rules')).action(async (_opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<{ data: RuleView[] }>('/v1/alerts/rules');
    if (ctx.out.json) return ctx.out.document(body);
    if (body.data.length === 0) return ctx.out.note('no alert rules');
    printRules(ctx.out, body.data);
  });

  const ruleOptions = (cmd: Command): Command =>
    cmd
      .option('--threshold <n>', 'error_rate/source_rejecting: a fraction (0.5 = 50%); latency_p95: milliseconds', numberOption)
      .option('--window <seconds>', 'The measuring and grouping window (60..604800, default 300)', intOption(60, 604_800))
      .option('--endpoint <ids>', 'Only these endpoints (comma-separated or repeated)', listOption)
      .option('--source <ids>', 'source_rejecting: only these sources', listOption)
      .option('--channel <ids>', 'The channels to notify (comma-separated or repeated)', listOption);
  type RuleFlags = { name?: string; threshold?: number; window?: number; endpoint?: string[]; source?: string[]; channel?: string[]; tenant?: string; disabled?: boolean; enabled?: boolean };
  const ruleBody = (opts: RuleFlags): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    if (opts.name !== undefined) body.name = opts.name;
    if (opts.threshold !== undefined) body.threshold = opts.threshold;
    if (opts.window !== undefined) body.windowSeconds = opts.window;
    if (opts.endpoint) body.endpoints = opts.endpoint;
    if (opts.source) body.sources = opts.source;
    if (opts.channel) body.channels = opts.channel;
    if (opts.tenant !== undefined) body.tenant = opts.tenant;
    if (opts.disabled) body.enabled = false;
    if (opts.enabled) body.enabled = true;
    return body;
  };

  withJson(
    ruleOptions(
      rules
        .command('create')
        .description('Create an alert rule')
        .requiredOption('--name <name>', 'What to call it')
        .requiredOption('--kind <kind>', RULE_KINDS.join(' | '), choiceOption(RULE_KINDS))
        .option('--tenant <tenant>', 'Admin keys: the tenant it watches (default: every tenant)')
        .option('--disabled', 'Create it switched off'),
    ),
  ).action(async (opts: RuleFlags & { kind: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    if (!opts.channel) throw new UsageError('--channel is required: the channels to notify');
    const { body } = await ctx.client.post<RuleView>('/v1/alerts/rules', { ...ruleBody(opts), kind: opts.kind });
    if (ctx.out.json) return ctx.out.document(body);
    printRules(ctx.out, [body]);
  });

  withJson(
    ruleOptions(rules.command('update').description('Change an alert rule (its kind and tenant stay)').argument('<id>', 'arl_...').option('--name <name>', 'New name').option('--enabled', 'Switch it on').option('--disabled', 'Switch it off')),
  ).action(async (id: string, opts: RuleFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const patch = ruleBody(opts);
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change');
    const { body } = await ctx.client.patch<RuleView>(`/v1/alerts/rules/${enc(id)}`, patch);
    if (ctx.out.json) return ctx.out.document(body);
    printRules(ctx.out, [body]);
  });

  withJson(rules.command('delete').description('Delete an alert rule').argument('<id>', 'arl_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/alerts/rules/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, deleted: true });
    else ctx.out.line(`deleted ${id}`);
  });

  withJson(
    alerts
      .command('notifications')
      .description('The notifications sent, newest first (one per rule, subject and window)')
      .option('--limit <n>', 'How many (1..500)', intOption(1, 500), 50)
      .option('--tenant <tenant>', 'Only this tenant'),
  ).action(async (opts: { limit: number; tenant?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<{ data: NotificationView[] }>('/v1/alerts/notifications', { limit: opts.limit, tenant: opts.tenant });
    if (ctx.out.json) return ctx.out.document(body);
    if (body.data.length === 0) return ctx.out.note('no alert notifications');
    ctx.out.table(
      ['AT', 'STATE', 'RULE', 'SUBJECT', 'OUTCOME', 'SUMMARY'],
      body.data.map((n) => [shortTime(n.createdAt), n.state, n.rule, `${n.subject.kind} ${n.subject.id}`, n.error ? `${n.outcome}: ${n.error}` : n.outcome, n.summary]),
    );
  });
}
