// `hookd keys create|list|revoke`: API keys (admin only). A new key is shown once.

import type { Command } from 'commander';
import type { ApiKeyView, Page } from '../api-types.js';
import { contextOf, enc, pageHint, shortTime, withJson, withPaging } from '../command-kit.js';

export function registerKeys(program: Command): void {
  const group = program.command('keys').description('Manage API keys (admin key required)');

  withJson(
    group
      .command('create')
      .description('Create an API key; with --tenant it sees only that tenant, without it is an admin key')
      .option('--name <name>', 'A label to recognise it by')
      .option('--tenant <tenant>', 'Scope the key to this tenant'),
  ).action(async (opts: { name?: string; tenant?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = {};
    if (opts.name !== undefined) body.name = opts.name;
    if (opts.tenant !== undefined) body.tenant = opts.tenant;
    const { body: key } = await ctx.client.post<ApiKeyView>('/v1/api-keys', body);
    if (ctx.out.json) return ctx.out.document(key);
    ctx.out.line(key.key ?? '');
    ctx.out.note(`${key.id}: ${key.role} key${key.tenant ? ` for tenant ${key.tenant}` : ''}. It is shown only now: store it.`);
  });

  withPaging(withJson(group.command('list').description('List API keys (never the keys themselves)'))).action(async (opts: { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<Page<ApiKeyView>>('/v1/api-keys', { limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    ctx.out.table(
      ['ID', 'NAME', 'ROLE', 'TENANT', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
      page.data.map((k) => [k.id, k.name, k.role, k.tenant, k.prefix, shortTime(k.createdAt), shortTime(k.lastUsedAt), shortTime(k.revokedAt)]),
    );
    pageHint(ctx.out, page, 'hookd keys list');
  });

  withJson(group.command('revoke').description('Revoke an API key (effective at once)').argument('<id>', 'key_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/api-keys/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, revoked: true });
    else ctx.out.line(`revoked ${id}`);
  });
}
