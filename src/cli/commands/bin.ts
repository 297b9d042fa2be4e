// `hookd bin [--status 503 --fail-rate 0.3 --latency 200..3000 --secret whsec_... --expires 3600]`:
// creates a request bin on the server, prints its capture URL, then shows every request it captures
// as it arrives (one line each, or NDJSON with --json). `hookd bin list|show|watch|requests|replay|delete`
// manage bins. The live view polls the requests list (newest first) and prints what it has not seen.

import type { Command } from 'commander';
import type { BinReplayResultView, BinRequestView, BinView } from '../../wire/index.js';
import type { Page as PageOf } from '../api-types.js';
import { contextOf, enc, pageHint, shortTime, withJson, withPaging, type Ctx } from '../command-kit.js';
import { intOption, secretFlag } from '../input.js';
import { behaviourFromFlags } from './mock.js';

interface CreateFlags {
  name?: string;
  status: string;
  failRate: string;
  failStatus: string;
  latency: string;
  retryAfter?: number;
  failFirst?: number;
  goneAfter?: number;
  secret?: string;
  secretEnv?: string;
  expires?: number;
  tenant?: string;
  follow: boolean;
  json?: boolean;
}

export const BIN_POLL_MS = 500;

function signatureText(r: BinRequestView): string {
  if (r.signature === null) return '';
  return r.signature.ok ? 'signature ok' : `signature bad (${r.signature.code ?? 'invalid'})`;
}

function requestLine(r: BinRequestView): string {
  return [shortTime(r.receivedAt), r.method.padEnd(6), r.path, `${r.size} B${r.truncated ? ' (truncated)' : ''}`, signatureText(r)].filter((s) => s !== '').join('  ');
}

/** Print captures of `binId` not seen before, oldest first, until SIGINT/SIGTERM. */
async function follow(ctx: Ctx, binId: string, seen: Set<string>): Promise<void> {
  let stopped = false;
  const stop = (): void => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopped) {
    const { body: page } = await ctx.client.get<PageOf<BinRequestView>>(`/v1/bins/${enc(binId)}/requests`, { limit: 100 });
    for (const r of [...page.data].reverse()) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      if (ctx.out.json) ctx.out.ndjson(r);
      else ctx.out.line(requestLine(r));
    }
    await new Promise((resolve) => setTimeout(resolve, BIN_POLL_MS));
  }
}

function printBin(ctx: Ctx, b: BinView): void {
  ctx.out.fields([
    ['id', b.id],
    ['name', b.name],
    ['capture URL', b.captureUrl],
    ['answers', `${b.behaviour.status}, fail rate ${b.behaviour.failRate} -> ${b.behaviour.failStatus}, latency ${b.behaviour.latency.min}..${b.behaviour.latency.max} ms`],
    ['signature check', b.secret === null ? 'off' : 'Standard Webhooks'],
    ['tenant', b.tenant],
    ['expires', shortTime(b.expiresAt)],
  ]);
}

export function registerBin(program: Command): void {
  const group = program
    .command('bin')
    .description('Create a request bin (a capture URL served by hookd) and show what it receives live; or manage bins')
    .option('--name <name>', 'A name for the bin')
    .option('--status <code>', 'Status of a normal answer', '200')
    .option('--fail-rate <0..1>', 'Share of requests answered with --fail-status', '0')
    .option('--fail-status <code>', 'Status of a failing answer', '500')
    .option('--latency <ms|min..max>', 'Delay before answering, e.g. 200..3000', '0')
    .option('--retry-after <seconds>', 'Send Retry-After with failures (and 429/503)', intOption(0, 86_400))
    .option('--fail-first <n>', 'The first n requests fail', intOption(0, 1_000_000))
    .option('--gone-after <n>', 'Answer 410 Gone from request n+1 on', intOption(0, 1_000_000))
    .option('--secret <whsec>', 'Check captured requests against this Standard Webhooks secret')
    .option('--secret-env <var>', 'As --secret, read from this environment variable (kept out of shell history and ps)')
    .option('--expires <seconds>', 'Lifetime (default and maximum: the server\'s HOOKD_BIN_TTL_SECONDS)', intOption(60, 365 * 86_400))
    .option('--tenant <tenant>', 'The bin belongs to this tenant (admin key)')
    .option('--no-follow', 'Print the bin and exit instead of showing requests live')
    .option('--json', 'The bin as one JSON line, then one JSON line per captured request (NDJSON)')
    .action(async (opts: CreateFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const b = behaviourFromFlags(opts);
      const body: Record<string, unknown> = {
        status: b.status,
        failRate: b.failRate,
        failStatus: b.failStatus,
        latency: `${b.latency.min}..${b.latency.max}`,
        retryAfter: b.retryAfter,
        failFirst: b.failFirst,
        goneAfter: b.goneAfter,
      };
      if (opts.name !== undefined) body.name = opts.name;
      const secret = secretFlag('--secret', opts.secret, opts.secretEnv);
      if (secret !== undefined) body.secret = secret;
      if (opts.expires !== undefined) body.expiresInSeconds = opts.expires;
      if (opts.tenant !== undefined) body.tenant = opts.tenant;
      const { body: bin } = await ctx.client.post<BinView>('/v1/bins', body);
      if (ctx.out.json) ctx.out.ndjson(bin);
      else {
        printBin(ctx, bin);
        if (opts.follow) ctx.out.note(`waiting for requests to ${bin.captureUrl} (Ctrl-C to stop)`);
      }
      if (opts.follow) await follow(ctx, bin.id, new Set());
    });

  withPaging(withJson(group.command('list').description('List request bins'))).action(async (opts: { limit: number; cursor?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body: page } = await ctx.client.get<PageOf<BinView>>('/v1/bins', { limit: opts.limit, cursor: opts.cursor });
    if (ctx.out.json) return ctx.out.document(page);
    if (page.data.length === 0) return ctx.out.note('no bins yet: create one with `hookd bin`');
    ctx.out.table(['ID', 'NAME', 'STATUS', 'CAPTURE URL', 'EXPIRES'], page.data.map((b) => [b.id, b.name, b.behaviour.status, b.captureUrl, shortTime(b.expiresAt)]));
    pageHint(ctx.out, page);
  });

  withJson(group.command('show').description('Show a bin').argument('<id>', 'bin_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.get<BinView>(`/v1/bins/${enc(id)}`);
    if (ctx.out.json) ctx.out.document(body);
    else printBin(ctx, body);
  });

  group
    .command('watch')
    .description("Show a bin's new requests live")
    .argument('<id>', 'bin_...')
    .option('--json', 'One JSON line per captured request (NDJSON)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body: page } = await ctx.client.get<PageOf<BinRequestView>>(`/v1/bins/${enc(id)}/requests`, { limit: 100 });
      ctx.out.note(`watching ${id} for new requests (Ctrl-C to stop)`);
      await follow(ctx, id, new Set(page.data.map((r) => r.id)));
    });

  withPaging(withJson(group.command('requests').description('Requests a bin captured, newest first').argument('<id>', 'bin_...'))).action(
    async (id: string, opts: { limit: number; cursor?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body: page } = await ctx.client.get<PageOf<BinRequestView>>(`/v1/bins/${enc(id)}/requests`, { limit: opts.limit, cursor: opts.cursor });
      if (ctx.out.json) return ctx.out.document(page);
      if (page.data.length === 0) return ctx.out.note('nothing captured yet');
      ctx.out.table(['ID', 'RECEIVED', 'METHOD', 'PATH', 'SIZE', 'SIGNATURE'], page.data.map((r) => [r.id, shortTime(r.receivedAt), r.method, r.path, r.size, signatureText(r)]));
      pageHint(ctx.out, page);
    },
  );

  withJson(
    group
      .command('replay')
      .description('Send a captured request to a URL (your app); prints its status and duration')
      .argument('<id>', 'bin_...')
      .argument('<requestId>', 'brq_...')
      .requiredOption('--to <url>', 'Where to send it (the server\'s SSRF policy applies)'),
  ).action(async (id: string, requestId: string, opts: { to: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { body } = await ctx.client.post<BinReplayResultView>(`/v1/bins/${enc(id)}/requests/${enc(requestId)}/replay`, { url: opts.to });
    if (ctx.out.json) return ctx.out.document(body);
    ctx.out.line(body.status === null ? `no answer: ${body.errorCode ?? ''} ${body.errorMessage ?? ''}` : `${body.status} in ${Math.round(body.durationMs)} ms`);
  });

  withJson(group.command('delete').description('Delete a bin and what it captured').argument('<id>', 'bin_...')).action(async (id: string, _opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    await ctx.client.delete(`/v1/bins/${enc(id)}`);
    if (ctx.out.json) ctx.out.document({ id, deleted: true });
    else ctx.out.line(`deleted ${id}`);
  });
}
