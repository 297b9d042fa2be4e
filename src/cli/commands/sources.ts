// `hookd sources list|create|update|get|delete|requests`: inbound sources (spec section 7), the
// broker they consume from (docs/destinations.md, "Broker sources") and their request log.

import type { Command } from 'commander';
import type { InboundRequestView, Page, SourceView } from '../api-types.js';
import { contextOf, enc, pageHint, shortTime, withJson, withPaging } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { choiceOption, intOption, listOption, readJsonArg, secretFlag, timeOption } from '../input.js';
import { colorStatus, type Output } from '../output.js';

const SCHEMES = ['standard-webhooks', 'stripe', 'github', 'shopify', 'hmac', 'api-key', 'bearer', 'basic', 'none'];

interface CreateFlags {
  verify: string;
  verifyJson?: string;
  secret?: string;
  header?: string;
  value?: string;
  token?: string;
  username?: string;
  password?: string;
  secretEnv?: string;
  valueEnv?: string;
  tokenEnv?: string;
  passwordEnv?: string;
  algorithm?: string;
  encoding?: string;
  prefix?: string;
  eventType?: string;
  eventTypeHeader?: string;
  eventTypePointer?: string;
  allowIp?: string[];
  tenant?: string;
  maxBodyBytes?: number;
  consumeUrl?: string;
  consumeUsername?: string;
  consumePassword?: string;
  consumePasswordEnv?: string;
}

interface UpdateFlags {
  name?: string;
  consumeUrl?: string;
  consumeUsername?: string;
  consumePassword?: string;
  consumePasswordEnv?: string;
  /** false with --no-consume (commander's negation). */
  consume?: boolean;
}

/** The `consume` member from the flags; undefined when no consume flag was given. */
function consumeFrom(flags: { consumeUrl?: string; consumeUsername?: string; consumePassword?: string; consumePasswordEnv?: string }): Record<string, string> | undefined {
  if (flags.consumeUrl === undefined) {
    if (flags.consumeUsername !== undefined || flags.consumePassword !== undefined || flags.consumePasswordEnv !== undefined) {
      throw new UsageError('--consume-username/--consume-password(-env) go with --consume-url (the whole consume member is replaced)');
    }
    return undefined;
  }
  const password = secretFlag('--consume-password', flags.consumePassword, flags.consumePasswordEnv);
  const consume: Record<string, string> = { url: flags.consumeUrl };
  if (flags.consumeUsername !== undefined) consume.username = flags.consumeUsername;
  if (password !== undefined) consume.password = password;
  return consume;
}

const CONSUME_URL_HELP = 'Also consume from a broker: redis://host/DB?stream=S&group=G, amqp://host/vhost?queue=Q, nats://host/subject?stream=S&durable=D, mqtt://host/topic/%23?client=ID';

async function verifyFrom(flags: CreateFlags): Promise<Record<string, unknown>> {
  if (flags.verifyJson !== undefined) {
    // The JSON is the whole verify object: a verify flag beside it would be silently left out.
    const beside = (['secret', 'header', 'value', 'token', 'username', 'password', 'algorithm', 'encoding', 'prefix', 'secretEnv', 'valueEnv', 'tokenEnv', 'passwordEnv'] as const).filter((k) => flags[k] !== undefined);
    if (beside.length > 0) throw new UsageError(`--verify-json is the whole verify object and would leave ${beside.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} unused: give one or the other`);
    return (await readJsonArg(flags.verifyJson, '--verify-json')) as Record<string, unknown>;
  }
  if (!SCHEMES.includes(flags.verify)) throw new UsageError(`--verify must be one of ${SCHEMES.join(', ')}`);
  const v: Record<string, unknown> = { scheme: flags.verify };
  const copy: Array<[keyof CreateFlags, string]> = [
    ['header', 'header'],
    ['username', 'username'],
    ['algorithm', 'algorithm'],
    ['encoding', 'encoding'],
    ['prefix', 'prefix'],
  ];
  for (const [flag, field] of copy) if (flags[flag] !== undefined) v[field] = flags[flag];
  // The secrets, each typed or from the environment (--secret-env and the like).
  const secrets: Array<['secret' | 'value' | 'token' | 'password', string | undefined]> = [
    ['secret', flags.secretEnv],
    ['value', flags.valueEnv],
    ['token', flags.tokenEnv],
    ['password', flags.passwordEnv],
  ];
  for (const [field, variable] of secrets) {
    const secret = secretFlag(`--${field}`, flags[field], variable);
    if (secret !== undefined) v[field] = secret;
  }
  return v;
}

function eventTypeFrom(flags: CreateFlags): unknown {
  const given = [flags.eventType, flags.eventTypeHeader, flags.eventTypePointer].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give one of --event-type, --event-type-header, --event-type-pointer');
  if (flags.eventType !== undefined) return flags.eventType;
  if (flags.eventTypeHeader !== undefined) return { header: flags.eventTypeHeader };
  if (flags.eventTypePointer !== undefined) return { pointer: flags.eventTypePointer };
  return undefined;
}

function printSource(out: Output, s: SourceView): void {
  out.fields([
    ['id', s.id],
    ['name', s.name],
    ['ingress URL', s.ingressUrl],
    ['verify', s.verify.scheme],
    ['event type', typeof s.eventType === 'string' ? s.eventType : JSON.stringify(s.eventType ?? { pointer: '/type' })],
    ['allowed IPs', s.allowIps === null ? 'any' : s.allowIps.join(', ')],
    ['consumes', s.consume === null ? '-' : s.consume.url],
    ...(s.consume !== null && (s.consume.username !== null || s.consume.password !== null)
      ? [['consume credentials', [s.consume.username ?? '', s.consume.password ?? ''].filter((v) => v !== '').join(' / ')] as [string, string]]
      : []),
    ['tenant', s.tenant],
    ['created', shortTime(s.createdAt)],
  ]);
}

export function registerSources(program: Command): void {
  const group = program.command('sources').description('Manage inbound sources (public ingress URLs that receive webhooks)');

  withPaging(withJson(group.command('list').description('List sources'))).action(async (opts: { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<SourceView>>('/v1/sources', { limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no sources yet: create one with `hookd sources create --name stripe --verify stripe --secret whsec_...`');
    ctx.out.table(['ID', 'NAME', 'VERIFY', 'INGRESS URL', 'CONSUMES', 'TENANT'], page.data.map((s) => [s.id, s.name, s.verify.scheme, s.ingressUrl, s.consume?.url ?? '-', s.tenant]));
    pageHint(ctx.out, page);
  });

  withJson(
    group
      .command('create')
      .description('Create a source; prints its ingress URL (and a generated secret, once)')
      .requiredOption('--name <name>', 'A name, e.g. stripe or partner-crm')
      .option('--verify <scheme>', `How callers are verified: ${SCHEMES.join(', ')}`, 'standard-webhooks')
      .option('--verify-json <json>', 'The whole verify object as JSON (inline or @file), for options without a flag')
      .option('--secret <secret>', 'Signing secret (stripe, github, shopify, hmac, standard-webhooks; generated when optional)')
      .option('--header <name>', 'Header carrying the signature (hmac) or the key (api-key)')
      .option('--value <value>', 'Expected API key (api-key)')
      .option('--token <token>', 'Expected bearer token (bearer)')
      .option('--username <user>', 'Basic auth user (basic)')
      .option('--password <password>', 'Basic auth password (basic)')
      .option('--secret-env <var>', 'As --secret, read from this environment variable (kept out of shell history and ps)')
      .option('--value-env <var>', 'As --value, read from this environment variable')
      .option('--token-env <var>', 'As --token, read from this environment variable')
      .option('--password-env <var>', 'As --password, read from this environment variable')
      .option('--algorithm <alg>', 'sha256 or sha512 (hmac)', choiceOption(['sha256', 'sha512'] as const))
      .option('--encoding <enc>', 'hex or base64 (hmac)', choiceOption(['hex', 'base64'] as const))
      .option('--prefix <prefix>', 'Signature prefix, e.g. sha256= (hmac)')
      .option('--event-type <type>', 'Every request becomes this event type')
      .option('--event-type-header <name>', 'Take the event type from this header (e.g. x-github-event)')
      .option('--event-type-pointer <pointer>', 'Take the event type from the body (JSON pointer; default /type)')
      .option('--allow-ip <cidrs>', 'Only these callers (CIDR, comma-separated or repeated)', listOption)
      .option('--tenant <tenant>', 'Events from this source belong to this tenant')
      .option('--max-body-bytes <n>', 'Largest accepted body', intOption(1, 64 * 1024 * 1024))
      .option('--consume-url <url>', CONSUME_URL_HELP)
      .option('--consume-username <user>', 'Broker user for --consume-url (sealed, never printed)')
      .option('--consume-password <password>', 'Broker password or token for --consume-url (sealed, never printed)')
      .option('--consume-password-env <var>', 'Read the broker password or token from this environment variable (kept out of shell history and ps)'),
  ).action(async (opts: CreateFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = { name: (opts as { name?: string }).name, verify: await verifyFrom(opts) };
    const eventType = eventTypeFrom(opts);
    if (eventType !== undefined) body.eventType = eventType;
    if (opts.allowIp) body.allowIps = opts.allowIp;
    if (opts.tenant) body.tenant = opts.tenant;
    if (opts.maxBodyBytes !== undefined) body.maxBodyBytes = opts.maxBodyBytes;
    const consume = consumeFrom(opts);
    if (consume !== undefined) body.consume = consume;
    const { body: source } = await ctx.client.post<SourceView>('/v1/sources', body);
    if (ctx.out.json) return ctx.out.document(source);
    printSource(ctx.out, source);
    const secret = (source.verify as { secret?: unknown }).secret;
    if (typeof secret === 'string') ctx.out.fields([['secret (shown once)', secret]]);
  });

  withJson(
    group
      .command('update')
      .description('Change a source: its name, or the broker it consumes from (--no-consume: HTTP only)')
      .argument('<id>', 'src_...')
      .option('--name <name>', 'A new name')
      .option('--consume-url <url>', CONSUME_URL_HELP)
      .option('--consume-username <user>', 'Broker user for --consume-url (sealed, never printed)')
      .option('--consume-password <password>', 'Broker password or token for --consume-url (sealed, never printed)')
      .option('--consume-password-env <var>', 'Read the broker password or token from this environment variable (kept out of shell history and ps)')
      .option('--no-consume', 'Stop consuming (the source keeps its ingress URL)'),
  ).action(async (id: string, opts: UpdateFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = {};
    if (opts.name !== undefined) body.name = opts.name;
    const consume = consumeFrom(opts);
    if (opts.consume === false) {
      if (consume !== undefined) throw new UsageError('--no-consume and --consume-url contradict each other');
      body.consume = null;
    } else if (consume !== undefined) body.consume = consume;
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --name, --consume-url or --no-consume');
    const { body: source } = await ctx.client.patch<SourceView>(`/v1/sources/${enc(id)}`, body);
    if (ctx.out.json) ctx.out.document(source);
    else printSource(ctx.out, source);
  });

  withJson(group.command('get').description('Show a source').argument('<id>', 'src_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<SourceView>(`/v1/sources/${enc(id)}`);
    if (ctx.out.json) ctx.out.document(body);
    else printSource(ctx.out, body);
  });

  withJson(group.command('delete').description('Delete a source (its ingress URL answers 404 from then on)').argument('<id>', 'src_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/sources/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, deleted: true });
    else ctx.out.line(`deleted ${id}`);
  });

  withPaging(
    withJson(
      group
        .command('requests')
        .description("The source's request log, newest first: accepted, duplicate and rejected, with the reason")
        .argument('<id>', 'src_...')
        .option('--verdict <verdict>', 'accepted, duplicate or rejected', choiceOption(['accepted', 'duplicate', 'rejected'] as const))
        .option('--since <time>', 'Received at or after (ISO 8601 or a duration ago)', timeOption)
        .option('--until <time>', 'Received before', timeOption),
    ),
  ).action(async (id: string, opts: { verdict?: string; since?: number; until?: number; limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<InboundRequestView>>(`/v1/sources/${enc(id)}/requests`, {
      verdict: opts.verdict,
      since: opts.since === undefined ? undefined : new Date(opts.since).toISOString(),
      until: opts.until === undefined ? undefined : new Date(opts.until).toISOString(),
      limit: opts.limit,
      cursor: opts.cursor,
    });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no requests logged');
    ctx.out.table(
      ['ID', 'RECEIVED', 'VERDICT', 'HTTP', 'CODE', 'EVENT', 'REASON'],
      page.data.map((r) => [r.id, shortTime(r.receivedAt), colorStatus(ctx.out.c, r.verdict === 'accepted' ? 'succeeded' : r.verdict === 'rejected' ? 'failed' : 'pending').replace(/succeeded|failed|pending/, r.verdict), r.status, r.code, r.eventId, r.reason]),
    );
    pageHint(ctx.out, page);
  });
}
