// `hookd events list|get`: the event feed (oldest first, like the pull API) and one event with its
// deliveries.

import { InvalidArgumentError, type Command } from 'commander';
import type { DeliveryView, EventView, Page } from '../api-types.js';
import { contextOf, enc, shortTime, withJson } from '../command-kit.js';
import { intOption, timeOption } from '../input.js';
import { colorStatus } from '../output.js';

interface ListFlags {
  type?: string;
  typePrefix?: string;
  id?: string;
  idempotencyKey?: string;
  tenant?: string;
  since?: number;
  until?: number;
  match?: string;
  after?: string;
  limit: number;
  wait?: number;
}

/** --match: checked to be a JSON object here so a typo fails before the request; the server checks the rest. */
function jsonObjectOption(value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('is not JSON (quote it for the shell: \'{"customer":{"tier":"vip"}}\')');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('must be a JSON object');
  return value;
}

export function registerEvents(program: Command): void {
  const group = program.command('events').description('Read published events');

  withJson(
    group
      .command('list')
      .description('List or search events, oldest first (the pull feed); --after continues from a nextCursor')
      .option('--type <type>', 'Only this event type')
      .option('--type-prefix <prefix>', 'Only event types starting with this (e.g. order.)')
      .option('--id <id>', 'Only this event (evt_...)')
      .option('--idempotency-key <key>', 'Only the event published with this idempotency key')
      .option('--tenant <tenant>', 'Only this tenant')
      .option('--since <time>', 'Created at or after (ISO 8601, or 30m / 2h / 7d ago)', timeOption)
      .option('--until <time>', 'Created before (ISO 8601, or a duration ago)', timeOption)
      .option('--match <json>', 'Only events whose data contains this JSON object, e.g. \'{"customer":{"tier":"vip"}}\'', jsonObjectOption)
      .option('--after <cursor>', 'Start after this cursor')
      .option('--limit <n>', 'At most this many (1-250)', intOption(1, 250), 50)
      .option('--wait <seconds>', 'At the end of the feed, wait up to this long for a new event (0-30)', intOption(0, 30)),
  ).action(async (opts: ListFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<EventView>>('/v1/events', {
      type: opts.type,
      typePrefix: opts.typePrefix,
      id: opts.id,
      idempotencyKey: opts.idempotencyKey,
      tenant: opts.tenant,
      since: opts.since === undefined ? undefined : new Date(opts.since).toISOString(),
      until: opts.until === undefined ? undefined : new Date(opts.until).toISOString(),
      match: opts.match,
      after: opts.after,
      limit: opts.limit,
      wait: opts.wait,
    });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) ctx.out.note('no events');
    else ctx.out.table(['ID', 'TYPE', 'TENANT', 'CREATED'], page.data.map((e) => [e.id, e.type, e.tenant, shortTime(e.createdAt)]));
    if (!page.done && page.nextCursor) ctx.out.note(ctx.out.ec.dim(`more: add --after ${page.nextCursor} to the same command`));
  });

  withJson(group.command('get').description('Show an event, its data and its deliveries').argument('<id>', 'evt_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: event } = await ctx.client.get<EventView>(`/v1/events/${enc(id)}`);
    const { body: deliveries } = await ctx.client.get<Page<DeliveryView>>(`/v1/events/${enc(id)}/deliveries`, { limit: 250 });
    if (ctx.out.json) return ctx.out.document({ ...event, deliveries: deliveries.data });
    ctx.out.fields([
      ['id', event.id],
      ['type', event.type],
      ['tenant', event.tenant],
      ['created', shortTime(event.createdAt)],
      ['idempotency key', event.idempotencyKey],
      ['source', event.sourceId],
    ]);
    ctx.out.line();
    ctx.out.line(JSON.stringify(event.data, null, 2));
    ctx.out.line();
    if (deliveries.data.length === 0) ctx.out.line('no deliveries (no endpoint was subscribed)');
    else ctx.out.table(['DELIVERY', 'ENDPOINT', 'STATUS', 'ATTEMPTS', 'LAST'], deliveries.data.map((d) => [d.id, d.endpointId, colorStatus(ctx.out.c, d.status), d.attempts as number, d.lastStatus === null ? d.lastCode : `${d.lastStatus} ${d.lastCode ?? ''}`]));
  });
}
