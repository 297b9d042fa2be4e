// `hookd plan -f`, `hookd apply -f` and `hookd export`: the set-up (event types, endpoints, sources,
// API keys) as a version-controlled hookd.yaml. The file format, how objects are identified and
// how secrets are handled are in docs/operations.md ("Configuration as code"); the diff itself is
// the pure config-as-code/plan.ts.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Page } from '../api-types.js';
import type { HookdClient } from '../client.js';
import { contextOf, enc, withJson } from '../command-kit.js';
import { ConfigFileError, parseConfigFile, type ConfigFile } from '../config-as-code/config-file.js';
import { exportConfig } from '../config-as-code/export-file.js';
import { formatPlan, planChanges, summarize, type Change, type CurrentState } from '../config-as-code/plan.js';
import { ApiError, CliError, UsageError } from '../errors.js';
import type { Output } from '../output.js';

const PAGE = 250;
/** A bound on pages read per list (250 000 objects): a set-up larger than this is not a config file. */
const MAX_PAGES = 1000;

async function listAll<T>(client: HookdClient, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const { body } = await client.get<Page<T>>(path, { limit: PAGE, cursor });
    out.push(...body.data);
    if (!body.nextCursor) return out;
    cursor = body.nextCursor;
  }
  throw new CliError(`${path} has more than ${PAGE * MAX_PAGES} objects; too many for a config file`, 1);
}

/** What the server has, for the sections the file manages (all of them for export). */
async function readCurrent(client: HookdClient, want: { eventTypes: boolean; endpoints: boolean; sources: boolean; apiKeys: boolean }): Promise<CurrentState> {
  const [eventTypes, endpoints, sources, apiKeys] = await Promise.all([
    want.eventTypes ? listAll<CurrentState['eventTypes'][number]>(client, '/v1/event-types') : [],
    want.endpoints ? listAll<CurrentState['endpoints'][number]>(client, '/v1/endpoints') : [],
    want.sources ? listAll<CurrentState['sources'][number]>(client, '/v1/sources') : [],
    want.apiKeys ? listAll<CurrentState['apiKeys'][number]>(client, '/v1/api-keys') : [],
  ]);
  return { eventTypes, endpoints, sources, apiKeys };
}

function readFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseConfigFile(text, process.env);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new UsageError(`${path} is not a valid hookd config file:\n${err.message}`);
    throw err;
  }
}

async function computePlan(client: HookdClient, file: ConfigFile, prune: boolean): Promise<Change[]> {
  const current = await readCurrent(client, { eventTypes: !!file.eventTypes, endpoints: !!file.endpoints, sources: !!file.sources, apiKeys: !!file.apiKeys });
  return planChanges(file, current, { prune, ownKeyPrefix: client.settings.apiKey.slice(0, 10) });
}

const ROUTE: Record<Change['kind'], string> = { eventType: '/v1/event-types', endpoint: '/v1/endpoints', source: '/v1/sources', apiKey: '/v1/api-keys' };

interface Applied {
  change: Change;
  id: string | null;
  /** Secrets the server generated or issued (a new API key, a source's verify secret): shown once. */
  issued?: Record<string, unknown>;
}

async function runChange(client: HookdClient, change: Change): Promise<Applied> {
  const base = ROUTE[change.kind];
  switch (change.action) {
    case 'delete':
      await client.delete(`${base}/${enc(change.id!)}`);
      return { change, id: change.id };
    case 'update':
      if (change.kind === 'eventType') await client.put(`${base}/${enc(change.id!)}`, change.body);
      else await client.patch(`${base}/${enc(change.id!)}`, change.body);
      return { change, id: change.id };
    case 'replace':
    case 'create': {
      if (change.kind === 'eventType') {
        await client.put(`${base}/${enc(change.id!)}`, change.body);
        return { change, id: change.id };
      }
      // A key cannot be re-scoped: the new one is made first, so a failure leaves the old one working.
      const { body } = await client.post<Record<string, unknown>>(base, change.body);
      if (change.action === 'replace') await client.delete(`${base}/${enc(change.id!)}`);
      const id = typeof body.id === 'string' ? body.id : null;
      if (change.kind === 'apiKey') return { change, id, issued: { key: body.key } };
      if (change.kind === 'source' && !(change.body?.verify as Record<string, unknown> | undefined)?.secret && body.verify) return { change, id, issued: { verify: body.verify, ingressUrl: body.ingressUrl } };
      if (change.kind === 'source') return { change, id, issued: { ingressUrl: body.ingressUrl } };
      return { change, id };
    }
  }
}

function printPlan(out: Output, changes: Change[], prune: boolean): void {
  for (const line of formatPlan(changes)) out.line(line);
  if (!prune && changes.length === 0) out.note(out.ec.dim('(objects the file does not name are kept; --prune removes them)'));
}

export function registerApply(program: Command): void {
  withJson(
    program
      .command('plan')
      .description('Show what `hookd apply` would change to make the server match a hookd.yaml (changes nothing)')
      .requiredOption('-f, --file <path>', 'The config file (- for standard input)')
      .option('--prune', 'Also list the objects the file does not name, which apply --prune deletes')
      .addHelpText('after', '\nFormat and identity rules: docs/operations.md, "Configuration as code".'),
  ).action(async (opts: { file: string; prune?: boolean }, cmd: Command) => {
    const file = readFile(opts.file);
    const ctx = contextOf(cmd);
    const changes = await computePlan(ctx.client, file, opts.prune === true);
    if (ctx.out.json) return ctx.out.document({ changes: changes.map(({ body: _body, ...c }) => c), summary: summarize(changes) });
    printPlan(ctx.out, changes, opts.prune === true);
  });

  withJson(
    program
      .command('apply')
      .description('Make the server match a hookd.yaml: create and update what it declares (idempotent: a second run changes nothing)')
      .requiredOption('-f, --file <path>', 'The config file (- for standard input)')
      .option('--prune', 'Also delete what the file does not name (only in the sections it has; never the API key in use)')
      .addHelpText('after', '\nSecrets: write them as ${env:NAME}. New API keys and generated source secrets are printed once.'),
  ).action(async (opts: { file: string; prune?: boolean }, cmd: Command) => {
    const file = readFile(opts.file);
    const ctx = contextOf(cmd);
    const changes = await computePlan(ctx.client, file, opts.prune === true);
    if (!ctx.out.json) printPlan(ctx.out, changes, opts.prune === true);
    const applied: Applied[] = [];
    for (const change of changes) {
      try {
        applied.push(await runChange(ctx.client, change));
      } catch (err) {
        if (err instanceof ApiError) {
          const done = applied.length === 0 ? 'nothing was changed' : `${applied.length} of ${changes.length} changes were made; run apply again once it is fixed`;
          throw new CliError(`${change.action} ${change.kind} ${change.label}: ${err.message} (${done})`, 1, { cause: err });
        }
        throw err;
      }
    }
    if (ctx.out.json) {
      return ctx.out.document({ applied: applied.map((a) => ({ action: a.change.action, kind: a.change.kind, label: a.change.label, id: a.id, ...(a.issued ?? {}) })), summary: summarize(changes) });
    }
    for (const a of applied) {
      if (a.issued?.key) ctx.out.line(`API key ${a.change.label}: ${String(a.issued.key)}  (shown only now: store it)`);
      if (a.issued?.verify) ctx.out.line(`source ${a.change.label}: verify ${JSON.stringify(a.issued.verify)}  (shown only now: give it to the sender)`);
      if (a.issued?.ingressUrl) ctx.out.line(`source ${a.change.label}: ingress ${String(a.issued.ingressUrl)}`);
    }
    if (changes.length > 0) ctx.out.note(`applied ${changes.length} change${changes.length === 1 ? '' : 's'}`);
  });

  program
    .command('export')
    .description('Write the current set-up as a hookd.yaml (secrets as ${env:NAME} references, never in clear)')
    .option('-o, --output <path>', 'Write to this file instead of standard output')
    .option('--no-api-keys', 'Leave API keys out (they need an admin key to list)')
    .action(async (opts: { output?: string; apiKeys: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      let current: CurrentState;
      let includeApiKeys = opts.apiKeys;
      try {
        current = await readCurrent(ctx.client, { eventTypes: true, endpoints: true, sources: true, apiKeys: includeApiKeys });
      } catch (err) {
        // A tenant key cannot list API keys: export the rest rather than nothing.
        if (!(err instanceof ApiError && err.status === 403 && includeApiKeys)) throw err;
        includeApiKeys = false;
        ctx.out.note('API keys left out: listing them needs an admin key');
        current = await readCurrent(ctx.client, { eventTypes: true, endpoints: true, sources: true, apiKeys: false });
      }
      const result = exportConfig(current, { includeApiKeys });
      if (opts.output !== undefined) {
        writeFileSync(opts.output, result.text, { mode: 0o644 });
        ctx.out.note(`wrote ${opts.output}`);
      } else process.stdout.write(result.text);
      if (result.variables.length > 0) ctx.out.note(`set ${result.variables.length} environment variable${result.variables.length === 1 ? '' : 's'} before applying it (listed at the top of the file)`);
    });
}
