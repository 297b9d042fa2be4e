// `hookd send <type> --data <json|@file|@->`: publish an event (POST /v1/events).

import type { Command } from 'commander';
import type { PublishView } from '../api-types.js';
import { contextOf, withJson } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { readJsonArg } from '../input.js';

interface SendFlags {
  type?: string;
  data?: string;
  tenant?: string;
  idempotencyKey?: string;
  orderingKey?: string;
}

export function registerSend(program: Command): void {
  withJson(
    program
      .command('send')
      .description('Publish an event; hookd delivers it to every subscribed endpoint')
      .argument('[type]', 'Event type, e.g. chat.started (or --type)')
      .option('-t, --type <type>', 'Event type')
      .option('-d, --data <json>', 'Event data: inline JSON, @file.json, or @- for stdin (default: the catalogue example, else {})')
      .option('--tenant <tenant>', "Deliver only to this tenant's endpoints")
      .option('--idempotency-key <key>', 'A repeat with the same key returns the first event and sends nothing')
      .option('--ordering-key <key>', 'Deliver in publish order with the other events of this key, one at a time per endpoint'),
  ).action(async (typeArg: string | undefined, opts: SendFlags, cmd: Command) => {
    const type = opts.type ?? typeArg;
    if (type === undefined) throw new UsageError('give the event type: hookd send chat.started --data \'{"chatId":"c_1"}\'');
    if (opts.type !== undefined && typeArg !== undefined && opts.type !== typeArg) throw new UsageError(`two event types given (${typeArg} and --type ${opts.type})`);
    const ctx = contextOf(cmd);
    let data: unknown = opts.data === undefined ? undefined : await readJsonArg(opts.data);
    if (data === undefined) {
      // Like `stripe trigger`: the catalogue's example makes a realistic default.
      const known = await ctx.client.raw('GET', `/v1/event-types/${encodeURIComponent(type)}`);
      const example = known.ok ? ((await known.json()) as { example?: unknown }).example : undefined;
      data = example ?? {};
    }
    const body: Record<string, unknown> = { type, data };
    if (opts.tenant !== undefined) body.tenant = opts.tenant;
    if (opts.idempotencyKey !== undefined) body.idempotencyKey = opts.idempotencyKey;
    if (opts.orderingKey !== undefined) body.orderingKey = opts.orderingKey;
    const { body: res } = await ctx.client.post<PublishView>('/v1/events', body);
    if (ctx.out.json) return ctx.out.document(res);
    const to = `${res.deliveries} endpoint${res.deliveries === 1 ? '' : 's'}`;
    ctx.out.line(res.replayed ? `${res.id} (${res.type}) already published with this idempotency key; nothing new sent` : `published ${res.id} (${res.type}) to ${to}`);
    if (res.deliveries === 0 && !res.replayed) ctx.out.note(ctx.out.ec.yellow('no endpoint is subscribed to this type (and tenant): nothing will be delivered'));
  });
}
