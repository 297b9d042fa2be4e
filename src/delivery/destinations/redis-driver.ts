// Redis Streams: redis[s]://host[:port][/DB]?stream=KEY[&maxLen=N][&mkstream=false]
//
// - XADD KEY MAXLEN ~ N * field value ...: the attempt succeeds on the reply (the entry id). The
//   approximate trim keeps the stream bounded at little cost (default N = 100000).
// - Fields: each Standard Webhooks header under its own name, hookd-message-id (the delivery id),
//   hookd-ordering-key when set, and body (the exact bytes an HTTP endpoint receives) last.
// - mkstream=false adds NOMKSTREAM: a missing stream is then broker_no_route instead of a stream
//   nobody reads being created.
// - No automatic reconnect or offline queue: a dropped connection fails its commands at once (retried
//   by hookd on schedule) and is replaced on the next send.

import { Redis } from 'ioredis';
import { ConnectionPool, connectionKey } from './pool.js';
import { DestinationError, unknownParams, type ConnectSpec, type DestinationDriver, type DestinationMessage, type ParsedDestination } from './destination.js';
import { tlsOptions } from './tls-options.js';

export interface RedisTarget {
  db: number;
  stream: string;
  maxLen: number;
  mkstream: boolean;
}

export const DEFAULT_STREAM_MAXLEN = 100_000;

export function parseRedisUrl(url: URL): ParsedDestination<RedisTarget> {
  const bad = unknownParams(url, ['stream', 'maxLen', 'mkstream']);
  if (bad) return { ok: false, message: bad };
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) return { ok: false, message: 'The path is the database number (0-99), e.g. redis://cache.example.com:6379/0?stream=orders' };
  const stream = url.searchParams.get('stream') ?? '';
  if (stream === '') return { ok: false, message: 'Give the stream key: ?stream=NAME' };
  const maxLenText = url.searchParams.get('maxLen');
  const maxLen = maxLenText === null ? DEFAULT_STREAM_MAXLEN : /^\d{1,10}$/.test(maxLenText) ? Number(maxLenText) : NaN;
  if (!(maxLen >= 1)) return { ok: false, message: 'maxLen must be a whole number of entries, at least 1.' };
  const mk = url.searchParams.get('mkstream');
  if (mk !== null && mk !== 'true' && mk !== 'false') return { ok: false, message: 'mkstream must be true or false.' };
  const secure = url.protocol === 'rediss:';
  return { ok: true, secure, defaultPort: 6379, target: { db: dbText === '' ? 0 : Number(dbText), stream, maxLen, mkstream: mk !== 'false' } };
}

function redisFault(err: unknown): DestinationError | null {
  const message = err instanceof Error ? err.message : String(err);
  if (/^(WRONGPASS|NOAUTH|NOPERM)|invalid password|invalid username-password/i.test(message)) return new DestinationError('broker_auth_failed', `Redis refused: ${message}`, { cause: err });
  if (/Command timed out/i.test(message)) return new DestinationError('broker_confirm_timeout', 'Redis did not answer the XADD in time.', { cause: err });
  if (/too large|max.*bulk|invalid bulk length|OOM/i.test(message)) return new DestinationError('message_too_large', `Redis: ${message}`, { cause: err });
  if (/Connection is closed|Stream isn't writeable/i.test(message)) return new DestinationError('connection_reset', `Redis: ${message}`, { cause: err });
  if (/^[A-Z]+ /.test(message)) return new DestinationError('broker_rejected', `Redis: ${message}`, { cause: err });
  return null;
}

export function createRedisDriver(): DestinationDriver<RedisTarget> {
  const pool = new ConnectionPool<Redis>(async (r) => {
    r.disconnect();
  });

  async function open(spec: ConnectSpec, db: number, gone: () => void): Promise<Redis> {
    const redis = new Redis({
      host: spec.address,
      port: spec.port,
      db,
      lazyConnect: true,
      connectTimeout: spec.connectTimeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectionName: 'hookd',
      ...(spec.credentials?.username !== undefined ? { username: spec.credentials.username, password: spec.credentials.password ?? '' } : {}),
      ...(spec.credentials?.token !== undefined ? { password: spec.credentials.token } : {}),
      ...(spec.secure ? { tls: tlsOptions(spec) } : {}),
    });
    // Without a listener ioredis logs connection errors itself; the attempt records them instead.
    // connect() rejects with a bare "Connection is closed": the emitted error says why (ECONNREFUSED, WRONGPASS).
    let lastError: unknown = null;
    redis.on('error', (err: unknown) => {
      lastError ??= err;
    });
    redis.on('end', () => gone());
    try {
      await redis.connect();
      return redis;
    } catch (err) {
      redis.disconnect();
      const cause = lastError ?? err;
      throw redisFault(cause) ?? cause;
    }
  }

  async function publish(spec: ConnectSpec, target: RedisTarget, message: DestinationMessage): Promise<string> {
    const redis = await pool.get(connectionKey(spec, String(target.db)), (gone) => open(spec, target.db, gone));
    const fields: (string | Buffer)[] = [];
    for (const [name, value] of Object.entries(message.headers)) fields.push(name, value);
    fields.push('hookd-message-id', message.messageId);
    if (message.orderingKey !== undefined && message.headers['hookd-ordering-key'] === undefined) fields.push('hookd-ordering-key', message.orderingKey);
    fields.push('body', message.body);
    const args: (string | Buffer)[] = [target.stream, ...(target.mkstream ? [] : ['NOMKSTREAM']), 'MAXLEN', '~', String(target.maxLen), '*', ...fields];
    let reply: unknown;
    try {
      reply = await redis.call('XADD', ...args);
    } catch (err) {
      throw redisFault(err) ?? err;
    }
    if (reply === null) throw new DestinationError('broker_no_route', `The Redis stream "${target.stream}" does not exist (mkstream=false).`);
    return `XADD ${target.stream} ${typeof reply === 'string' ? reply : JSON.stringify(reply)}`;
  }

  return { name: 'Redis Streams', protocols: ['redis:', 'rediss:'], parse: parseRedisUrl, connectionScope: (t) => String(t.db), publish, close: () => pool.closeAll() };
}
