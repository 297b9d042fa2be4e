// `hookd mock --status 500 --fail-rate 0.3 --latency 200..3000 --port 3000`: a receiver that misbehaves
// on purpose. Point an endpoint at it and watch hookd retry, time out, honour Retry-After and disable
// the endpoint on 410. Needs no hookd server; prints one line (or NDJSON with --json) per request.

import type { Command } from 'commander';
import { DEFAULT_MOCK, parseFailRate, parseLatency, parseStatus, type MockBehaviour } from '../../core/mock-behaviour.js';
import { CliError, UsageError } from '../errors.js';
import { intOption } from '../input.js';
import { colorHttpStatus, outputFor } from '../output.js';
import { startMockServer } from '../mock-server.js';

interface MockFlags {
  status: string;
  failRate: string;
  failStatus: string;
  latency: string;
  retryAfter?: number;
  failFirst?: number;
  goneAfter?: number;
  host: string;
  port: number;
  json?: boolean;
}

export function behaviourFromFlags(opts: Pick<MockFlags, 'status' | 'failRate' | 'failStatus' | 'latency' | 'retryAfter' | 'failFirst' | 'goneAfter'>): MockBehaviour {
  try {
    return {
      ...DEFAULT_MOCK,
      status: parseStatus(opts.status),
      failRate: parseFailRate(opts.failRate),
      failStatus: parseStatus(opts.failStatus),
      latency: parseLatency(opts.latency),
      retryAfter: opts.retryAfter ?? null,
      failFirst: opts.failFirst ?? 0,
      goneAfter: opts.goneAfter ?? null,
    };
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerMock(program: Command): void {
  program
    .command('mock')
    .description('Run a receiver that fails on purpose (status, fail rate, latency, Retry-After, 410) to watch retries')
    .option('--status <code>', 'Status of a normal answer', '200')
    .option('--fail-rate <0..1>', 'Share of requests that fail', '0')
    .option('--fail-status <code>', 'Status of a failing answer', '500')
    .option('--latency <ms|min..max>', 'Delay before answering, e.g. 200..3000', '0')
    .option('--retry-after <seconds>', 'Send Retry-After with failures (and 429/503)', intOption(0, 86_400))
    .option('--fail-first <n>', 'The first n requests fail (then the fail rate applies): down, then back', intOption(0, 1_000_000))
    .option('--gone-after <n>', 'Answer 410 Gone from request n+1 on (hookd disables the endpoint)', intOption(0, 1_000_000))
    .option('--host <address>', 'Address to bind', '127.0.0.1')
    .option('--port <port>', 'Port (0: any free port)', intOption(0, 65_535), 3000)
    .option('--json', 'One JSON line per request (NDJSON)')
    .action(async (opts: MockFlags, cmd: Command) => {
      const out = outputFor(cmd);
      const behaviour = behaviourFromFlags(opts);
      const server = await startMockServer(behaviour, {
        host: opts.host,
        port: opts.port,
        onRequest: (log) => {
          if (out.json) out.ndjson(log);
          else out.line(`${log.time}  #${log.n}  ${log.method} ${log.path}  ${colorHttpStatus(out.c, log.status)}  ${log.delayMs} ms  ${log.bytes} B`);
        },
      }).catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, 1);
      });
      out.note(`mock receiver on ${server.url} (status ${behaviour.status}, fail rate ${behaviour.failRate} -> ${behaviour.failStatus}, latency ${behaviour.latency.min}..${behaviour.latency.max} ms${behaviour.retryAfter === null ? '' : `, Retry-After ${behaviour.retryAfter}s`}${behaviour.goneAfter === null ? '' : `, 410 after ${behaviour.goneAfter}`}); Ctrl-C to stop`);
      if (/^http:\/\/(127\.|\[::1\])/.test(server.url)) out.note(out.ec.dim('hookd delivers to loopback only when allowed: HOOKD_ALLOW_PRIVATE=127.0.0.1/32'));
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
