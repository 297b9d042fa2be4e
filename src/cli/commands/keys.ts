// `hookd keys create|list|revoke`: API keys (admin only). A new key is shown once.

import type { Command } from 'commander';
import { contextOf, enc, pageHint, shortTime, withJson, withPaging } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { outputFor } from '../output.js';

export function registerKeys(program: Command): void {
  const group = program.command('keys').description('Manage API keys (admin key required)');

  withJson(
    group
      .command('create')
      .description('Create an API key; with --tenant it sees only that tenant, without it (or with --admin) it is an admin key')
      .option('--name <name>', 'A label to recognise it by')
      .option('--tenant <tenant>', 'Scope the key to this tenant')
      .option('--admin', 'An admin key (the default without --tenant; says so explicitly)')
      .option('--data-dir <dir>', "Mint the key directly in this data directory's database, no server or API key needed (a lost first-start key)")
      .option('--database-url <url>', 'Mint the key directly in this database (postgres://... or sqlite:<path>), no server or API key needed')
      .addHelpText('after', '\nLocally (no server needed): hookd keys create --admin --data-dir ./.hookd'),
  ).action(async (opts: { name?: string; tenant?: string; admin?: boolean; dataDir?: string; databaseUrl?: string; json?: boolean }, cmd: Command) => {
    if (opts.admin && opts.tenant !== undefined) throw new UsageError('--admin and --tenant exclude each other: a tenant key sees only its tenant');
    if (opts.dataDir !== undefined || opts.databaseUrl !== undefined) return createLocally(opts, cmd);
    const ctx = contextOf(cmd);
    const key = await ctx.client.api.apiKeys.create({ ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}) });
    if (ctx.out.json) return ctx.out.document(key);
    ctx.out.line(key.key);
    ctx.out.note(`${key.id}: ${key.role} key${key.tenant ? ` for tenant ${key.tenant}` : ''}. It is shown only now: store it.`);
  });

  withPaging(withJson(group.command('list').description('List API keys (never the keys themselves)'))).action(async (opts: { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const page = await ctx.client.api.apiKeys.list({ limit: opts.limit, ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}) });
    if (ctx.out.json) return ctx.out.document(page);
    ctx.out.table(
      ['ID', 'NAME', 'ROLE', 'TENANT', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
      page.data.map((k) => [k.id, k.name, k.role, k.tenant, k.prefix, shortTime(k.createdAt), shortTime(k.lastUsedAt), shortTime(k.revokedAt)]),
    );
    pageHint(ctx.out, page);
  });

  withJson(group.command('revoke').description('Revoke an API key (effective at once)').argument('<id>', 'key_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/api-keys/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, revoked: true });
    else ctx.out.line(`revoked ${id}`);
  });
}

/** The database is opened by this process: the server modules load only here (as for serve and migrate). */
async function createLocally(opts: { name?: string; tenant?: string; dataDir?: string; databaseUrl?: string }, cmd: Command): Promise<void> {
  const out = outputFor(cmd);
  const [{ loadConfig }, { mintApiKey }] = await Promise.all([import('../../config/load-config.js'), import('../../runtime/mint-api-key.js')]);
  const config = loadConfig({ flags: { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, env: process.env, file: process.env.HOOKD_CONFIG });
  const key = await mintApiKey(config, { name: opts.name, tenant: opts.tenant });
  if (out.json) return out.document({ id: key.id, key: key.key, role: key.role, tenant: key.tenant });
  out.line(key.key);
  out.note(`${key.id}: ${key.role} key${key.tenant ? ` for tenant ${key.tenant}` : ''} minted in ${key.database}. It is shown only now: store it.`);
}
