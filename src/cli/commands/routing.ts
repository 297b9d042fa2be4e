// Content filters and transforms from the command line: `hookd filters test`, `hookd endpoints
// transform-test`, and the --filter / --transform / --preset flags of endpoints create and update.

import type { Command } from 'commander';
import { contextOf, enc, ms, withJson } from '../command-kit.js';
import { QuietExit, UsageError } from '../errors.js';
import { readBytes, readJsonArg } from '../input.js';

const PRESETS = ['slack', 'discord', 'teams'];

export interface RoutingFlags {
  filter?: string;
  transform?: string;
  preset?: string;
}

export function addRoutingFlags(cmd: Command, creating: boolean): Command {
  cmd
    .option('--filter <json>', 'Content filter on the event: inline JSON, @file or @- (see docs/routing.md)')
    .option('--transform <file>', 'JavaScript file defining function transform(webhook) (@- reads stdin)')
    .option('--preset <name>', `Built-in transform: ${PRESETS.join(', ')}`);
  if (!creating) cmd.option('--clear-filter', 'Remove the content filter').option('--clear-transform', 'Remove the transform (kept in its version history)');
  return cmd;
}

/** The filter and transform members of an endpoint create/update body. */
export async function routingBody(flags: RoutingFlags & { clearFilter?: boolean; clearTransform?: boolean }): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (flags.filter !== undefined && flags.clearFilter) throw new UsageError('--filter and --clear-filter contradict each other');
  if ([flags.transform !== undefined, flags.preset !== undefined, Boolean(flags.clearTransform)].filter(Boolean).length > 1) {
    throw new UsageError('give only one of --transform, --preset and --clear-transform');
  }
  if (flags.filter !== undefined) body.filter = await readJsonArg(flags.filter, '--filter');
  if (flags.clearFilter) body.filter = null;
  if (flags.transform !== undefined) body.transform = { code: (await readBytes(flags.transform.replace(/^@(?=-$)/, ''))).toString('utf8') };
  if (flags.preset !== undefined) {
    if (!PRESETS.includes(flags.preset)) throw new UsageError(`--preset is one of ${PRESETS.join(', ')}`);
    body.transform = { preset: flags.preset };
  }
  if (flags.clearTransform) body.transform = null;
  return body;
}

interface TransformTestView {
  result: 'ok' | 'cancelled' | 'error' | 'unchanged';
  transform: { version: number } | null;
  error?: string;
  request: { url: string; method: string; headers: Record<string, string>; body: string } | null;
  durationMs: number;
}

export function registerTransformTest(group: Command): void {
  withJson(
    group
      .command('transform-test')
      .description("Run the endpoint's transform (or --transform/--preset) on an example event and show the request it would send; exit 1 if it fails")
      .argument('<id>', 'ep_...')
      .option('--type <type>', 'Event type (default hookd.test)')
      .option('--data <json>', 'Event data: inline JSON, @file or @- (default: the catalogue example)')
      .option('--transform <file>', 'Try this JavaScript file instead of the saved transform')
      .option('--preset <name>', `Try this preset instead: ${PRESETS.join(', ')}`),
  ).action(async (id: string, opts: { type?: string; data?: string; transform?: string; preset?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body: Record<string, unknown> = { ...(await routingBody({ transform: opts.transform, preset: opts.preset })) };
    const event: Record<string, unknown> = {};
    if (opts.type !== undefined) event.type = opts.type;
    if (opts.data !== undefined) event.data = await readJsonArg(opts.data);
    if (Object.keys(event).length > 0) body.event = event;
    const { body: res } = await ctx.client.post<TransformTestView>(`/v1/endpoints/${enc(id)}/transform/test`, body);
    if (ctx.out.json) ctx.out.document(res);
    else {
      const version = res.transform ? ` (transform version ${res.transform.version})` : '';
      ctx.out.line(`${res.result}${version} in ${ms(res.durationMs)}`);
      if (res.error) ctx.out.line(`  ${res.error}`);
      if (res.request) {
        ctx.out.line(`${res.request.method} ${res.request.url}`);
        for (const [name, value] of Object.entries(res.request.headers)) ctx.out.line(`${name}: ${value}`);
        ctx.out.line('');
        ctx.out.line(res.request.body);
      }
    }
    if (res.result === 'error') throw new QuietExit(1);
  });
}

export function registerFilters(program: Command): void {
  const group = program.command('filters').description('Content filters of endpoints');
  withJson(
    group
      .command('test')
      .description('Test a filter against an example event: says whether it matches and why not (exit 1 when it does not)')
      .requiredOption('--filter <json>', 'The filter: inline JSON, @file or @-')
      .requiredOption('--event <json>', 'The event: {"type": ..., "tenant": ..., "data": ...} inline, @file or @-'),
  ).action(async (opts: { filter: string; event: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const body = { filter: await readJsonArg(opts.filter, '--filter'), event: await readJsonArg(opts.event, '--event') };
    const { body: res } = await ctx.client.post<{ match: boolean; reasons: string[] }>('/v1/filters/test', body);
    if (ctx.out.json) ctx.out.document(res);
    else {
      ctx.out.line(res.match ? 'match' : 'no match');
      for (const reason of res.reasons) ctx.out.line(`  ${reason}`);
    }
    if (!res.match) throw new QuietExit(1);
  });
}
