// `hookd audit`: the audit log (GET /v1/audit), newest first: who changed what, when, from which
// request. An admin key sees every tenant; a tenant key its own.

import type { Command } from 'commander';
import type { Page } from '../api-types.js';
import { contextOf, pageHint, shortTime, withJson, withPaging } from '../command-kit.js';
import { timeOption } from '../input.js';

interface AuditView {
  id: string;
  at: string;
  actor: { kind: string; id: string; name: string | null };
  tenant: string | null;
  requestId: string | null;
  action: string;
  target: string | null;
  diff: unknown;
}

export function registerAudit(program: Command): void {
  withPaging(
    withJson(
      program
        .command('audit')
        .description('Show the audit log, newest first: who changed what through the API')
        .option('--tenant <tenant>', 'Only this tenant')
        .option('--actor <id>', 'Only changes by this API key (key_...), key_env_admin or a portal session')
        .option('--action <action>', 'Only this action (endpoint.update), or a kind ending in a dot (endpoint.)')
        .option('--target <id>', 'Only changes to this object (ep_..., an event type name)')
        .option('--since <time>', 'At or after (ISO 8601, or 30m / 2h / 7d ago)', timeOption)
        .option('--until <time>', 'Before (ISO 8601, or a duration ago)', timeOption),
    ),
  ).action(async (opts: { tenant?: string; actor?: string; action?: string; target?: string; since?: number; until?: number; limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const since = opts.since === undefined ? undefined : new Date(opts.since).toISOString();
    const until = opts.until === undefined ? undefined : new Date(opts.until).toISOString();
    const { body: page } = await ctx.client.get<Page<AuditView>>('/v1/audit', { tenant: opts.tenant, actor: opts.actor, action: opts.action, target: opts.target, since, until, limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no audit records match');
    ctx.out.table(
      ['AT', 'ACTION', 'TARGET', 'ACTOR', 'TENANT', 'REQUEST'],
      page.data.map((r) => [shortTime(r.at), r.action, r.target, r.actor.name ? `${r.actor.name} (${r.actor.id})` : r.actor.id, r.tenant, r.requestId]),
    );
    pageHint(ctx.out, page, { '--since': since, '--until': until });
  });
}
