// Structured JSON logs (pino) with secrets redacted by path; pretty output only on a terminal.

import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.key',
  'config.adminKey',
  'config.secretKey',
  'config.databaseUrl',
  'config.metricsToken',
];

export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'hookd' } };
  if (options.destination) return pino(base, options.destination as never);
  if (options.pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  return pino(base);
}
