// `hookd endpoints list|create|get|update|delete|enable|disable|rotate-secret|secret|test|transform-test|ordering`.

import type { Command } from 'commander';
import type { EndpointView, Page, TestView } from '../api-types.js';
import { contextOf, enc, ms, pageHint, shortTime, withJson, withPaging, type Ctx } from '../command-kit.js';
import { QuietExit, UsageError } from '../errors.js';
import { addAuthEnvFlags, authFromFlags, choiceOption, eventTypesOption, headerFromEnv, headerOption, intOption, readJsonArg, secretFlag, type AuthFlags } from '../input.js';
import { colorHttpStatus, colorStatus, type Output } from '../output.js';
import { addRoutingFlags, registerTransformTest, routingBody, type RoutingFlags } from './routing.js';
import { registerEndpointOrdering } from './endpoint-ordering.js';

interface EndpointFlags extends AuthFlags, RoutingFlags {
  clearFilter?: boolean;
  clearTransform?: boolean;
  url?: string;
  urlEnv?: string;
  events?: string[];
  allEvents?: boolean;
  description?: string;
  tenant?: string;
  header?: Record<string, string>;
  headerEnv?: string[];
  secret?: string;
  secretEnv?: string;
  timeout?: number;
  retrySchedule?: string;
  rateLimit?: number;
  maxConcurrency?: number;
  payloadFormat?: string;
  onExhausted?: string;
  disabled?: boolean;
  json?: boolean;
}

function addEndpointFlags(cmd: Command, creating: boolean): Command {
  cmd
    .option('-e, --events <types>', 'Event types to subscribe to, comma-separated (default: all)', eventTypesOption)
    .option('--description <text>', 'Free text shown in lists and the dashboard')
    .option('--auth-bearer <token>', 'Send Authorization: Bearer <token>')
    .option('--auth-basic <user:password>', 'Send HTTP basic auth (broker URLs: the broker user and password, sealed)')
    .option('--auth-header <"Name: value">', 'Send an API-key header');
  addAuthEnvFlags(cmd)
    .option('-H, --header <"Name: value">', 'A custom header on every delivery (repeatable)', headerOption)
    .option('--header-env <var>', 'As -H, "Name: value" read from this environment variable (repeatable; for a header that carries a key)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--url-env <var>', 'The URL read from this environment variable (a Slack, Discord or Teams webhook URL is itself the credential)')
    .option('--timeout <ms>', 'Attempt timeout in ms (1000-60000)', intOption(1000, 60_000))
    .option('--retry-schedule <seconds>', 'Seconds between attempts, comma-separated, e.g. 0,5,300')
    .option('--rate-limit <per-second>', 'Most deliveries per second to this endpoint', intOption(1, 100_000))
    .option('--max-concurrency <n>', 'Most attempts in flight to this endpoint', intOption(1, 1000))
    .option('--payload-format <format>', 'envelope (type, timestamp, data; the default) or raw (data alone)', choiceOption(['envelope', 'raw'] as const))
    .option('--on-exhausted <block|skip>', 'Ordered delivery: when a key\'s head exhausts its retries, block the key (the default) or skip to the next event', choiceOption(['block', 'skip'] as const));
  if (creating) {
    cmd
      .option('--tenant <tenant>', 'Only events of this tenant reach the endpoint')
      .option('--secret <whsec>', 'Use this signing secret instead of a generated one')
      .option('--secret-env <var>', 'As --secret, read from this environment variable (kept out of shell history and ps)')
      .option('--disabled', 'Create it disabled');
  } else {
    cmd.option('--url <url>', 'New URL').option('--all-events', 'Subscribe to every event type again').option('--auth-none', 'Remove the endpoint auth');
  }
  return addRoutingFlags(cmd, creating);
}

function bodyFromFlags(flags: EndpointFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const url = secretFlag('--url', flags.url, flags.urlEnv);
  if (url !== undefined) body.url = url;
  if (flags.events !== undefined && flags.allEvents) throw new UsageError('--events and --all-events contradict each other');
  if (flags.events !== undefined) body.eventTypes = flags.events;
  if (flags.allEvents) body.eventTypes = null;
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.tenant !== undefined) body.tenant = flags.tenant;
  const auth = authFromFlags(flags);
  if (auth !== undefined) body.auth = auth;
  if (flags.header !== undefined || flags.headerEnv !== undefined) {
    let headers = flags.header ?? {};
    for (const variable of flags.headerEnv ?? []) headers = headerFromEnv('--header-env', variable, headers);
    body.headers = headers;
  }
  const secret = secretFlag('--secret', flags.secret, flags.secretEnv);
  if (secret !== undefined) body.secret = secret;
  if (flags.timeout !== undefined) body.timeoutMs = flags.timeout;
  if (flags.retrySchedule !== undefined) {
    const steps = flags.retrySchedule.split(',').map((s) => s.trim());
    if (steps.some((s) => !/^\d+$/.test(s))) throw new UsageError('--retry-schedule takes whole seconds separated by commas, e.g. 0,5,300');
    body.retrySchedule = steps.map(Number);
  }
  if (flags.rateLimit !== undefined) body.rateLimitPerSecond = flags.rateLimit;
  if (flags.maxConcurrency !== undefined) body.maxConcurrency = flags.maxConcurrency;
  if (flags.payloadFormat !== undefined) {
    if (flags.payloadFormat !== 'envelope' && flags.payloadFormat !== 'raw') throw new UsageError('--payload-format is envelope or raw');
    body.payloadFormat = flags.payloadFormat;
  }
  if (flags.onExhausted !== undefined) body.ordering = { onExhausted: flags.onExhausted };
  if (flags.disabled) body.enabled = false;
  return body;
}

export function endpointState(e: EndpointView): string {
  return e.enabled ? 'enabled' : `disabled (${e.disabledReason ?? 'manual'})`;
}

export function printEndpoint(out: Output, e: EndpointView): void {
  out.fields([
    ['id', e.id],
    ['url', e.url],
    ['state', e.enabled ? out.c.green('enabled') : out.c.red(endpointState(e))],
    ['events', e.eventTypes === null ? 'all' : e.eventTypes.join(', ')],
    ['tenant', e.tenant],
    ['description', e.description],
    ['auth', e.auth.type],
    ['timeout', ms(e.timeoutMs)],
    ['retry schedule', e.retrySchedule === null ? 'default' : `${e.retrySchedule.join(', ')} s`],
    ['payload format', e.payloadFormat],
    ['failing since', e.failingSince],
    ['created', shortTime(e.createdAt)],
    ...(e.secret ? ([['signing secret', e.secret]] as Array<[string, unknown]>) : []),
  ]);
}

async function show(ctx: Ctx, e: EndpointView): Promise<void> {
  if (ctx.out.json) ctx.out.document(e);
  else printEndpoint(ctx.out, e);
}

export function registerEndpoints(program: Command): void {
  const group = program.command('endpoints').description('Manage endpoints (the URLs hookd delivers to)');
  registerEndpointOrdering(group);

  withPaging(withJson(group.command('list').description('List endpoints'))).action(async (opts: { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<EndpointView>>('/v1/endpoints', { limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no endpoints yet: create one with `hookd endpoints create <url>`');
    ctx.out.table(
      ['ID', 'URL', 'STATE', 'EVENTS', 'TENANT', 'CREATED'],
      page.data.map((e) => [e.id, e.url, e.enabled ? colorStatus(ctx.out.c, 'enabled') : ctx.out.c.red(endpointState(e)), e.eventTypes === null ? 'all' : e.eventTypes.join(','), e.tenant, shortTime(e.createdAt)]),
    );
    pageHint(ctx.out, page);
  });

  addEndpointFlags(withJson(group.command('create').description('Create an endpoint; prints its signing secret').argument('[url]', 'Where to POST deliveries, or a broker URL (amqp, nats, mqtt, redis: docs/destinations.md); or --url-env')), true).action(async (url: string | undefined, opts: EndpointFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const fields = bodyFromFlags(opts);
    if (url !== undefined && fields.url !== undefined) throw new UsageError('give the URL or --url-env, not both');
    if (url === undefined && fields.url === undefined) throw new UsageError('give the URL to deliver to (or --url-env VAR)');
    const { body } = await ctx.client.post<EndpointView>('/v1/endpoints', { url: url ?? fields.url, ...fields, ...(await routingBody(opts)) });
    await show(ctx, body);
  });

  withJson(group.command('get').description('Show an endpoint').argument('<id>', 'ep_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await show(ctx, (await ctx.client.get<EndpointView>(`/v1/endpoints/${enc(id)}`)).body);
  });

  addEndpointFlags(withJson(group.command('update').description('Change an endpoint (only the flags given)').argument('<id>', 'ep_...')), false).action(async (id: string, opts: EndpointFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body = { ...bodyFromFlags(opts), ...(await routingBody(opts)) };
    if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give at least one flag (see hookd endpoints update --help)');
    await show(ctx, (await ctx.client.patch<EndpointView>(`/v1/endpoints/${enc(id)}`, body)).body);
  });

  withJson(group.command('delete').description('Delete an endpoint (its pending deliveries are cancelled)').argument('<id>', 'ep_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/endpoints/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, deleted: true });
    else ctx.out.line(`deleted ${id}`);
  });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    withJson(group.command(name).description(enabled ? 'Enable an endpoint (also after hookd disabled it)' : 'Disable an endpoint (deliveries wait until it is enabled)').argument('<id>', 'ep_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body } = await ctx.client.patch<EndpointView>(`/v1/endpoints/${enc(id)}`, { enabled });
      if (ctx.out.json) ctx.out.document(body);
      else ctx.out.line(`${body.id} is ${endpointState(body)}`);
    });
  }

  withJson(
    group
      .command('rotate-secret')
      .description('New signing secret; the old one keeps signing during a grace period')
      .argument('<id>', 'ep_...')
      .option('--grace <seconds>', 'How long the old secret keeps signing (default: the server setting, 24 h)', intOption(0, 2_592_000))
      .option('--secret <whsec>', 'Use this secret instead of a generated one')
      .option('--secret-env <var>', 'As --secret, read from this environment variable (kept out of shell history and ps)'),
  ).action(async (id: string, opts: { grace?: number; secret?: string; secretEnv?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = {};
    if (opts.grace !== undefined) body.graceSeconds = opts.grace;
    const secret = secretFlag('--secret', opts.secret, opts.secretEnv);
    if (secret !== undefined) body.secret = secret;
    const { body: res } = await ctx.client.post<{ secret: string; previousSecretsExpireAt: string | null }>(`/v1/endpoints/${enc(id)}/rotate-secret`, body);
    if (ctx.out.json) return ctx.out.document(res);
    ctx.out.line(`new signing secret: ${res.secret}`);
    ctx.out.note(res.previousSecretsExpireAt ? `the previous secret keeps signing until ${shortTime(res.previousSecretsExpireAt)}` : 'the previous secret stopped signing now');
  });

  withJson(group.command('secret').description('Show the signing secret (and older ones still signing)').argument('<id>', 'ep_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<{ secret: string; previous: Array<{ secret: string; expiresAt: string }> }>(`/v1/endpoints/${enc(id)}/secret`);
    if (ctx.out.json) return ctx.out.document(body);
    ctx.out.line(body.secret);
    for (const p of body.previous) ctx.out.note(`previous ${p.secret} (signs until ${shortTime(p.expiresAt)})`);
  });

  withJson(
    group
      .command('test')
      .description('Send a test event now and show the attempt (exit 1 unless the endpoint answers 2xx)')
      .argument('<id>', 'ep_...')
      .option('--type <type>', 'Event type (default hookd.test)')
      .option('--data <json>', 'Event data: inline JSON, @file or @- (default: the catalogue example)'),
  ).action(async (id: string, opts: { type?: string; data?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = {};
    if (opts.type !== undefined) body.type = opts.type;
    if (opts.data !== undefined) body.data = await readJsonArg(opts.data);
    const { body: res } = await ctx.client.post<TestView>(`/v1/endpoints/${enc(id)}/test`, body);
    const a = res.attempt;
    const success = a !== null && a.responseStatus !== null && a.responseStatus >= 200 && a.responseStatus < 300;
    if (ctx.out.json) ctx.out.document(res);
    else if (a === null) ctx.out.line(`no attempt yet for ${res.deliveryId} (event ${res.eventId}); see \`hookd deliveries get ${res.deliveryId}\``);
    else {
      ctx.out.line(`[${colorHttpStatus(ctx.out.c, a.responseStatus)}] ${colorStatus(ctx.out.c, a.code)} in ${ms(a.durationMs)}  delivery ${res.deliveryId}  event ${res.eventId}`);
      if (!success && a.message) ctx.out.line(`  ${a.message}`);
    }
    if (!success) throw new QuietExit(1);
  });

  registerTransformTest(group);
}
