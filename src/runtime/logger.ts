// Structured JSON logs (pino): one JSON object per line on stdout, secrets redacted by path, the
// active trace and span ids on every line written inside a span (so a log line leads to its trace),
// and pretty output only on a terminal, when pino-pretty is installed (it is a dev dependency).

import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { createLogDestination } from './log-destination.js';

/**
 * Paths pino censors. pino matches exact paths and one-level wildcards (`*.secret` is `x.secret`, not
 * `secret` nor `x.y.secret`), so each credential name is listed at the top level, one level down, and
 * in the shapes hookd actually logs: request headers, endpoint auth, the configuration. Domain code
 * never logs endpoint or source objects whole (attempt headers are redacted before they are stored:
 * delivery/redact.ts); this list is the safety net behind that rule, and test/observability-logs
 * checks it.
 */
export const REDACT_PATHS = [
  // HTTP headers (API requests, attempts, inbound requests).
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  'authorization',
  '*.authorization',
  // Credentials by name, top level and one level down.
  'secret',
  'secrets',
  'password',
  'token',
  'accessToken',
  'clientSecret',
  'apiKey',
  'key',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.clientSecret',
  '*.apiKey',
  '*.key',
  // Endpoint auth and source verification, two levels down (`endpoint.auth.password`).
  '*.auth.password',
  '*.auth.token',
  '*.auth.clientSecret',
  '*.auth.key',
  '*.auth.value',
  '*.verify.secret',
  '*.verify.value',
  '*.verify.password',
  'auth.value',
  'verify.value',
  // The configuration (its secret settings; maskConfig() is the primary guard).
  'config.adminKey',
  'config.secretKey',
  'config.databaseUrl',
  'config.metricsToken',
  'adminKey',
  'secretKey',
  'databaseUrl',
  'metricsToken',
];

export const REDACTED = '[redacted]';

export interface LoggerSetup {
  /** Human-readable colour output (a terminal); ignored when pino-pretty is not installed. */
  pretty?: boolean;
  /** Write JSON lines here instead of stdout (tests, a file). */
  destination?: NodeJS.WritableStream;
}

/** The pino options hookd logs with (exported so tests can build the same logger over a stream). */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    base: { service: 'hookd' },
    // Trace correlation: the field names of the OpenTelemetry log data model.
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
}

export function createLogger(level: string, options: LoggerSetup = {}): Logger {
  const base = loggerOptions(level);
  if (options.destination) return pino(base, options.destination as never);
  if (options.pretty && prettyAvailable()) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  // Not pino's default stdout stream: see log-destination.ts (a broken log pipe held shutdown).
  const stdout = createLogDestination({ fd: 1 });
  process.once('exit', () => stdout.flushSync());
  return pino(base, stdout);
}

/** pino-pretty is a dev dependency: a production install logs JSON on a terminal too. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
