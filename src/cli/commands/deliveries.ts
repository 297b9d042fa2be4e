// `hookd deliveries list|get|retry`. `retry` takes ids, or a filter (--status failed --since 2h ...)
// for a bulk redelivery with a progress bar.

import type { Command } from 'commander';
import type { AttemptView, DeliveryView, Page } from '../api-types.js';
import { contextOf, enc, ms, pageHint, shortTime, withJson, withPaging, type Ctx } from '../command-kit.js';
import { ApiError, CliError, QuietExit, UsageError } from '../errors.js';
import { choiceOption, intOption, timeOption } from '../input.js';
import { DELIVERY_STATUSES } from '../../core/types.js';
import { colorHttpStatus, colorStatus } from '../output.js';
import { createProgress } from '../progress.js';

interface FilterFlags {
  status?: string;
  endpoint?: string;
  event?: string;
  type?: string;
  since?: number;
  until?: number;
  tenant?: string;
  httpStatus?: number;
  code?: string;
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--status <status>', DELIVERY_STATUSES.join(', '), choiceOption(DELIVERY_STATUSES))
    .option('--endpoint <id>', 'Only this endpoint (ep_...)')
    .option('--event <id>', 'Only this event (evt_...)')
    .option('--type <type>', 'Only this event type')
    .option('--since <time>', 'Created at or after (ISO 8601, or 30m / 2h / 7d ago)', timeOption)
    .option('--until <time>', 'Created before (ISO 8601, or a duration ago)', timeOption)
    .option('--tenant <tenant>', 'Only this tenant')
    .option('--http-status <code>', "Only deliveries whose last attempt got this HTTP status", intOption(100, 599))
    .option('--code <code>', "Only deliveries whose last attempt had this code (e.g. timeout, http_server_error)");
}

function filterQuery(opts: FilterFlags): Record<string, string | undefined> {
  return {
    status: opts.status,
    endpoint: opts.endpoint,
    event: opts.event,
    type: opts.type,
    since: opts.since === undefined ? undefined : new Date(opts.since).toISOString(),
    until: opts.until === undefined ? undefined : new Date(opts.until).toISOString(),
    tenant: opts.tenant,
    httpStatus: opts.httpStatus === undefined ? undefined : String(opts.httpStatus),
    code: opts.code,
  };
}

export function attemptRows(ctx: Ctx, attempts: AttemptView[]): Array<Array<string | number | null>> {
  return attempts.map((a, i) => [i + 1, shortTime(a.createdAt), colorHttpStatus(ctx.out.c, a.responseStatus), colorStatus(ctx.out.c, a.code), ms(a.durationMs), a.message ?? '']);
}

async function collect(ctx: Ctx, opts: FilterFlags): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { body: page } = await ctx.client.get<Page<DeliveryView>>('/v1/deliveries', { ...filterQuery(opts), limit: 250, cursor });
    ids.push(...page.data.map((d) => d.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && ids.length < 100_000);
  return ids;
}

export function registerDeliveries(program: Command): void {
  const group = program.command('deliveries').description('Inspect and retry deliveries (one event to one endpoint)');

  withPaging(withFilters(withJson(group.command('list').description('List deliveries, newest first')))).action(async (opts: FilterFlags & { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<DeliveryView>>('/v1/deliveries', { ...filterQuery(opts), limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no deliveries match');
    ctx.out.table(
      ['ID', 'EVENT TYPE', 'ENDPOINT', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED'],
      page.data.map((d) => [d.id, d.eventType, d.endpointId, colorStatus(ctx.out.c, d.status), d.attempts as number, d.lastStatus === null ? d.lastCode : `${d.lastStatus} ${d.lastCode ?? ''}`, shortTime(d.createdAt)]),
    );
    const query = filterQuery(opts);
    pageHint(ctx.out, page, { '--since': query.since, '--until': query.until });
  });

  withJson(group.command('get').description('Show a delivery and every attempt (status, code, latency)').argument('<id>', 'dlv_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: d } = await ctx.client.get<DeliveryView & { attempts: AttemptView[] }>(`/v1/deliveries/${enc(id)}`);
    if (ctx.out.json) return ctx.out.document(d);
    ctx.out.fields([
      ['id', d.id],
      ['event', `${d.eventId} (${d.eventType})`],
      ['endpoint', d.endpointId],
      ['status', colorStatus(ctx.out.c, d.status)],
      ['next attempt', d.nextAttemptAt ? shortTime(d.nextAttemptAt) : null],
      ['created', shortTime(d.createdAt)],
    ]);
    ctx.out.line();
    if (d.attempts.length === 0) ctx.out.line('no attempts yet');
    else ctx.out.table(['#', 'AT', 'HTTP', 'CODE', 'LATENCY', 'MESSAGE'], attemptRows(ctx, d.attempts));
  });

  withFilters(
    withJson(
      group
        .command('retry')
        .description('Re-send deliveries now (same webhook-id); give ids, or a filter such as --status failed --since 2h')
        .argument('[ids...]', 'dlv_... ids'),
    ),
  ).action(async (ids: string[], opts: FilterFlags, cmd: Command) => {
    const ctx = contextOf(cmd);
    const filtered = Object.values(filterQuery(opts)).some((v) => v !== undefined);
    if (ids.length > 0 && filtered) throw new UsageError('give delivery ids or filters, not both');
    if (ids.length === 0 && !filtered) throw new UsageError('give delivery ids, or a filter (e.g. --status failed --since 24h)');
    const targets = ids.length > 0 ? ids : await collect(ctx, opts);
    const progress = createProgress({ total: targets.length, label: 'retrying', enabled: !ctx.out.json });
    const results: Array<{ id: string; ok: boolean; status?: string; error?: string }> = [];
    try {
      for (const id of targets) {
        try {
          const { body } = await ctx.client.post<DeliveryView>(`/v1/deliveries/${enc(id)}/retry`);
          results.push({ id, ok: true, status: body.status });
        } catch (err) {
          // One bad id must not stop a bulk retry; a single id keeps the plain error path.
          if (!(err instanceof ApiError)) throw err;
          const message = err.code === 'endpoint_disabled' ? disabledMessage(err) : err.message;
          if (targets.length === 1) throw new CliError(message, 1, { cause: err });
          results.push({ id, ok: false, error: message });
        }
        progress.tick();
      }
    } finally {
      progress.stop();
    }
    const failed = results.filter((r) => !r.ok);
    if (ctx.out.json) ctx.out.document({ requeued: results.length - failed.length, failed });
    else {
      ctx.out.line(targets.length === 0 ? 'no deliveries match' : `re-queued ${results.length - failed.length} of ${targets.length} deliver${targets.length === 1 ? 'y' : 'ies'}`);
      for (const f of failed) ctx.out.note(`${f.id}: ${f.error}`);
    }
    if (failed.length > 0) throw new QuietExit(1);
  });
}

/** A disabled endpoint's deliveries are never sent, so the server refuses the retry: say how to fix it. */
function disabledMessage(err: ApiError): string {
  const endpointId = typeof err.problem.endpointId === 'string' ? err.problem.endpointId : null;
  const reason = typeof err.problem.disabledReason === 'string' ? ` (${err.problem.disabledReason})` : '';
  if (!endpointId) return err.message;
  return `not re-queued: its endpoint ${endpointId} is disabled${reason}, and a disabled endpoint gets no deliveries. Enable it with \`hookd endpoints enable ${endpointId}\`, then retry (endpoint_disabled)`;
}
