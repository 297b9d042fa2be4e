// `hookd listen --forward-to <local url>`: like `stripe listen`. Starts a listener on loopback,
// creates an endpoint pointing at it, prints the endpoint's signing secret, forwards each delivery to
// the user's app and prints one line per delivery; on Ctrl-C/SIGTERM it deletes the endpoint and
// exits 0.
//
// The hookd server POSTs to this machine's loopback, so it must run here too (or reach
// --advertise-url) and allow the address: HOOKD_ALLOW_PRIVATE=127.0.0.1/32 (SSRF policy, spec 6).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import type { EndpointView } from '../api-types.js';
import { contextOf, enc, type Ctx } from '../command-kit.js';
import { ApiError, CliError, UsageError } from '../errors.js';
import { eventTypesOption, intOption } from '../input.js';
import { colorHttpStatus } from '../output.js';
import { forward, type ForwardResult } from '../forwarder.js';

interface ListenFlags {
  forwardTo: string;
  events?: string[];
  tenant?: string;
  host: string;
  port: number;
  advertiseUrl?: string;
  timeout: number;
  json?: boolean;
}

const MAX_BODY = 8 * 1024 * 1024;

export function blockedAddressHelp(url: string): string {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const range = host.includes(':') ? `${host}/128` : `${host}/32`;
  return (
    `the hookd server refuses to deliver to ${url}: ${host} is a private address and its SSRF policy blocks it (blocked_address). ` +
    `Restart the server with that address allowed, e.g. \`HOOKD_ALLOW_PRIVATE=${range} npm start\` (or hookd serve --allow-private ${range}).`
  );
}

export function parseForwardTarget(value: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--forward-to "${value}" is not a URL (e.g. http://localhost:3000/webhooks)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--forward-to must be http:// or https://');
  return url;
}

export function registerListen(program: Command): void {
  program
    .command('listen')
    .description('Receive deliveries on this machine and forward them to your local app (Ctrl-C to stop)')
    .requiredOption('-f, --forward-to <url>', 'Your app, e.g. http://localhost:3000/webhooks')
    .option('-e, --events <types>', 'Only these event types, comma-separated (default: all)', eventTypesOption)
    .option('--tenant <tenant>', "Receive this tenant's events (default: events without a tenant)")
    .option('--host <address>', 'Address the listener binds to', '127.0.0.1')
    .option('--port <port>', 'Port the listener binds to (default: any free port)', intOption(0, 65535), 0)
    .option('--advertise-url <url>', 'The URL the hookd server should POST to (default: http://<host>:<port>/)')
    .option('--timeout <ms>', 'How long your app may take to answer', intOption(100, 120_000), 30_000)
    .option('--json', 'Print NDJSON: a ready line with the secret, then one line per delivery')
    .action(async (opts: ListenFlags, cmd: Command) => {
      const target = parseForwardTarget(opts.forwardTo);
      const ctx = contextOf(cmd);
      await listen(ctx, opts, target);
    });
}

async function listen(ctx: Ctx, opts: ListenFlags, target: URL): Promise<void> {
  const { out } = ctx;
  const server: Server = createServer((req, res) => void relay(ctx, target, opts.timeout, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, 1)));
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const bindHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const listenerUrl = opts.advertiseUrl ?? `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}/`;

  let endpoint: EndpointView;
  try {
    const body: Record<string, unknown> = { url: listenerUrl, description: `hookd listen -> ${target.toString()}` };
    if (opts.events) body.eventTypes = opts.events;
    if (opts.tenant) body.tenant = opts.tenant;
    endpoint = (await ctx.client.post<EndpointView>('/v1/endpoints', body)).body;
  } catch (err) {
    await closeServer(server);
    if (err instanceof ApiError && err.code === 'blocked_address') throw new CliError(blockedAddressHelp(listenerUrl), 2);
    throw err;
  }

  if (out.json) out.ndjson({ kind: 'ready', endpointId: endpoint.id, url: listenerUrl, forwardTo: target.toString(), secret: endpoint.secret, eventTypes: endpoint.eventTypes });
  else {
    out.note(`${out.ec.green('Ready!')} Your webhook signing secret is ${out.ec.bold(endpoint.secret ?? '(unknown)')} (^C to quit)`);
    out.note(out.ec.dim(`endpoint ${endpoint.id} (${listenerUrl}) forwards ${endpoint.eventTypes === null ? 'all events' : endpoint.eventTypes.join(', ')} to ${target.toString()}`));
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

  if (!out.json) out.note(out.ec.dim(`removing endpoint ${endpoint.id}...`));
  try {
    await ctx.client.request('DELETE', `/v1/endpoints/${enc(endpoint.id)}`, { signal: AbortSignal.timeout(5000) });
    if (out.json) out.ndjson({ kind: 'stopped', endpointId: endpoint.id, deleted: true });
  } catch (err) {
    out.note(`could not delete ${endpoint.id}: ${(err as Error).message}; delete it with \`hookd endpoints delete ${endpoint.id}\``);
    if (out.json) out.ndjson({ kind: 'stopped', endpointId: endpoint.id, deleted: false });
  }
  await closeServer(server);
}

async function relay(ctx: Ctx, target: URL, timeoutMs: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { out } = ctx;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end('{"code":"payload_too_large"}');
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const webhookId = header(req, 'webhook-id');
  const type = eventTypeOf(body);
  const result: ForwardResult = await forward(target, req.method ?? 'POST', req.rawHeaders, body, timeoutMs);
  if (result.status === null) {
    const status = result.error === 'ETIMEDOUT' ? 504 : 502;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'forward_failed', message: `hookd listen could not reach ${target.toString()}: ${result.error}` }));
  } else {
    res.writeHead(result.status, result.headers).end(result.body);
  }
  const at = new Date().toISOString();
  if (out.json) {
    out.ndjson({ kind: 'delivery', at, webhookId, eventType: type, method: req.method, forwardTo: target.toString(), status: result.status, durationMs: result.durationMs, error: result.error });
  } else {
    const answer = result.status === null ? `${out.c.red('[ERR]')} ${result.error}` : `[${colorHttpStatus(out.c, result.status)}]`;
    out.line(`${at.slice(0, 19).replace('T', ' ')}  ${out.c.cyan('-->')} ${type ?? '(raw)'} [${webhookId ?? '-'}]  ${out.c.cyan('<--')} ${answer} ${req.method} ${target.toString()} (${result.durationMs} ms)`);
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function eventTypeOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : null;
  } catch {
    return null;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
