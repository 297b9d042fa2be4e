// `hookd tail`: live delivery attempts from GET /v1/stream, one line each (NDJSON with --json).
// Reconnects with bounded backoff (0.5 s doubling to 10 s, jittered) when the server closes the
// stream (its `shutdown` event on a restart or deploy), answers 5xx while stopping, cannot be
// reached, or goes silent (no byte, not even the 15 s heartbeat comment, for 45 s: a dead peer or
// network that never closed the connection). Ctrl-C ends it with exit 0.

import type { Command } from 'commander';
import { contextOf, ms, type Ctx } from '../command-kit.js';
import { toApiError } from '../client.js';
import { CliError } from '../errors.js';
import { eventTypesOption, intOption, listOption } from '../input.js';
import { colorHttpStatus, colorStatus } from '../output.js';
import { readSse } from '../sse.js';
import type { BusMessages } from '../../core/event-bus.js';

interface TailFlags {
  endpoint?: string[];
  /** Event types to follow (-e, --events, as on listen and endpoints create). */
  events?: string[];
  /** Also print each published event. */
  showEvents?: boolean;
  count?: number;
  json?: boolean;
}

/** `attempt.recorded` as GET /v1/stream sends it: the bus message, its time as ISO 8601. */
type AttemptMessage = Omit<BusMessages['attempt.recorded'], 'createdAt'> & { createdAt: string };

const MAX_REMEMBERED_TYPES = 10_000;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** Three of the server's 15 s heartbeats missed: the connection is dead even if it never closed. */
const SILENCE_MS = 45_000;

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('Follow delivery attempts live, one line each (Ctrl-C to stop)')
    .option('--endpoint <ids>', 'Only these endpoints (comma-separated)', listOption)
    .option('-e, --events <types>', 'Only these event types, comma-separated (types of events published while tailing)', eventTypesOption)
    .option('--show-events', 'Also print each published event, not only the attempts')
    .option('--count <n>', 'Stop after this many attempts', intOption(1, 1_000_000))
    .option('--json', 'Print NDJSON: one JSON object per line')
    .action(async (opts: TailFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await follow(ctx, opts, controller.signal);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

async function follow(ctx: Ctx, opts: TailFlags, signal: AbortSignal): Promise<void> {
  const { out } = ctx;
  const types = new Map<string, string>();
  let seen = 0;
  let backoff = MIN_BACKOFF_MS;
  let connectedOnce = false;
  const pause = async (why: string): Promise<void> => {
    const wait = Math.round(backoff * (0.8 + Math.random() * 0.4));
    out.note(out.ec.yellow(`${why}; reconnecting in ${wait} ms`));
    await sleep(wait, signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };
  while (!signal.aborted) {
    // One controller per connection: Ctrl-C aborts it, and so does the silence watchdog.
    const connection = new AbortController();
    const abort = (): void => connection.abort();
    signal.addEventListener('abort', abort, { once: true });
    let silent = false;
    let silence: NodeJS.Timeout | undefined;
    const alive = (): void => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        silent = true;
        connection.abort();
      }, SILENCE_MS);
    };
    let stopping = false;
    try {
      let res: Response;
      try {
        alive();
        res = await ctx.client.raw('GET', '/v1/stream', { query: { topics: 'event.published,attempt.recorded,endpoint.state' }, headers: { accept: 'text/event-stream' }, signal: connection.signal });
      } catch (err) {
        if (signal.aborted) return;
        if (!connectedOnce) throw err;
        await pause(silent ? 'no answer from the server' : 'disconnected');
        continue;
      }
      if (!res.ok || !res.body) {
        const text = await res.text().catch(() => '');
        // A server that is stopping answers 503 until it is gone; the next one will answer.
        if (connectedOnce && (res.status >= 500 || res.status === 429)) {
          await pause(`the server answered ${res.status}`);
          continue;
        }
        throw toApiError(res.status, safeJson(text));
      }
      if (!connectedOnce && !out.json) out.note(out.ec.dim(`following attempts on ${ctx.client.baseUrl} (Ctrl-C to stop)`));
      else if (connectedOnce) out.note(out.ec.dim('reconnected'));
      connectedOnce = true;
      backoff = MIN_BACKOFF_MS;
      try {
        for await (const msg of readSse(res.body, alive)) {
          if (msg.event === 'shutdown') {
            stopping = true;
            continue;
          }
          const data = safeJson(msg.data) as Record<string, unknown> | null;
          if (!data) continue;
          if (msg.event === 'event.published') {
            const id = String(data.id);
            if (types.size >= MAX_REMEMBERED_TYPES) types.delete(types.keys().next().value!);
            types.set(id, String(data.type));
            if (opts.showEvents && wanted(opts, null, String(data.type))) {
              if (out.json) out.ndjson({ kind: 'event', ...data });
              else out.line(`${clock(String(data.createdAt))}  ${out.c.cyan('-->')} ${data.type} [${id}]`);
            }
          } else if (msg.event === 'attempt.recorded') {
            const a = data as unknown as AttemptMessage;
            const type = types.get(a.eventId) ?? null;
            if (!wanted(opts, a.endpointId, type)) continue;
            if (out.json) out.ndjson({ kind: 'attempt', ...a, eventType: type });
            else {
              out.line(
                `${clock(a.createdAt)}  [${colorHttpStatus(out.c, a.responseStatus)}] ${colorStatus(out.c, a.code)}${' '.repeat(Math.max(0, 22 - a.code.length))} ${ms(a.durationMs).padStart(8)}  ${type ?? '-'} ${a.eventId} -> ${a.endpointId}  ${colorStatus(out.c, a.status)}`,
              );
            }
            if (opts.count !== undefined && ++seen >= opts.count) return;
          } else if (msg.event === 'endpoint.state') {
            if (!wanted(opts, String(data.endpointId), null)) continue;
            if (out.json) out.ndjson({ kind: 'endpoint', ...data });
            else out.line(`${clock(new Date().toISOString())}  ${out.c.magenta('endpoint')} ${data.endpointId} ${data.enabled ? 'enabled' : `disabled (${data.disabledReason})`}`);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!silent && (err as Error).name !== 'TypeError' && (err as Error).name !== 'AbortError' && !(err instanceof CliError)) {
          // A dropped connection surfaces as a TypeError ("terminated") from the body stream.
          out.note(out.ec.yellow(`stream error: ${(err as Error).message}`));
        }
      }
      if (signal.aborted) return;
      await pause(stopping ? 'the server is shutting down' : silent ? `no data from the server for ${SILENCE_MS / 1000} s` : 'the server closed the stream');
    } finally {
      clearTimeout(silence);
      signal.removeEventListener('abort', abort);
    }
  }
}

function wanted(opts: TailFlags, endpointId: string | null, type: string | null): boolean {
  if (opts.endpoint && endpointId !== null && !opts.endpoint.includes(endpointId)) return false;
  if (opts.events && (type === null || !opts.events.includes(type))) return false;
  return true;
}

function clock(isoString: string): string {
  return isoString.slice(0, 19).replace('T', ' ');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(msDelay: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, msDelay);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
