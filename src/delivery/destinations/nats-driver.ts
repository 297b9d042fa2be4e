// NATS JetStream: nats://host[:port]/SUBJECT[?tls=true]
//
// - The path is the subject ("orders.created"); a JetStream stream must cover it. The publish
//   succeeds on the stream's PubAck; "no responders" means no stream listens on the subject
//   (broker_no_route).
// - Nats-Msg-Id is the delivery id: a retry after a lost ack inside the stream's duplicate window is
//   stored once (the PubAck says duplicate), which is better than at-least-once.
// - Ordering key: appended as the last subject token ("orders.created.<key>"), so a stream on
//   "orders.created.>" keeps per-key order and consumers can filter by key. Also the header
//   hookd-ordering-key.
// - The client reconnects by itself; a publish during an outage fails on its timeout and is retried.

import { connect, headers as natsHeaders, type NatsConnection, type TlsOptions } from 'nats';
import { ConnectionPool, connectionKey } from './pool.js';
import { DestinationError, safeToken, unknownParams, type ConnectSpec, type DestinationDriver, type DestinationMessage, type ParsedDestination } from './destination.js';
import { hostPort, tlsOptions } from './tls-options.js';

export interface NatsTarget {
  subject: string;
}

export function parseNatsUrl(url: URL): ParsedDestination<NatsTarget> {
  const bad = unknownParams(url, ['tls']);
  if (bad) return { ok: false, message: bad };
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'true' && tls !== 'false') return { ok: false, message: 'tls must be true or false.' };
  const subject = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (subject === '') return { ok: false, message: 'The path is the JetStream subject, e.g. nats://nats.example.com:4222/orders.created' };
  if (!/^[^\s*>.]+(\.[^\s*>.]+)*$/.test(subject)) return { ok: false, message: `"${subject}" is not a subject to publish to (no spaces, wildcards * or >, or empty tokens).` };
  return { ok: true, secure: tls === 'true', defaultPort: 4222, target: { subject } };
}

function natsFault(err: unknown): DestinationError | null {
  const e = err as { code?: unknown; message?: unknown; api_error?: { err_code?: number; description?: string } };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'AUTHORIZATION_VIOLATION' || code === 'PERMISSIONS_VIOLATION' || code === 'BAD_AUTHENTICATION' || code === 'BAD_CREDS' || code === 'AUTHENTICATION_EXPIRED') {
    return new DestinationError('broker_auth_failed', `NATS refused: ${message}`, { cause: err });
  }
  if (code === '503') return new DestinationError('broker_no_route', 'NATS: no JetStream stream covers this subject (no responders).', { cause: err });
  if (code === 'MAX_PAYLOAD_EXCEEDED' || /maximum (message|payload) size|max_payload|message size exceeds/i.test(message)) return new DestinationError('message_too_large', `NATS: ${message}`, { cause: err });
  if (code === 'TIMEOUT') return new DestinationError('broker_confirm_timeout', 'NATS JetStream did not acknowledge the message in time.', { cause: err });
  if (code === 'CONNECTION_REFUSED') return new DestinationError('connection_refused', `NATS: ${message}`, { cause: err });
  if (code === 'CONNECTION_TIMEOUT') return new DestinationError('connect_timeout', `NATS: ${message}`, { cause: err });
  if (code === 'CONNECTION_CLOSED' || code === 'DISCONNECT') return new DestinationError('connection_reset', `NATS: ${message}`, { cause: err });
  if (code !== '' && code !== 'UNKNOWN_ERROR') return new DestinationError('broker_rejected', `NATS: ${message}`, { cause: err });
  return null;
}

export function createNatsDriver(): DestinationDriver<NatsTarget> {
  const pool = new ConnectionPool<NatsConnection>(async (nc) => {
    await nc.close().catch(() => undefined);
  });

  async function open(spec: ConnectSpec, gone: () => void): Promise<NatsConnection> {
    try {
      const nc = await connect({
        servers: hostPort(spec.address, spec.port),
        name: 'hookd',
        timeout: spec.connectTimeoutMs,
        ...(spec.credentials?.username !== undefined ? { user: spec.credentials.username, pass: spec.credentials.password ?? '' } : {}),
        ...(spec.credentials?.token !== undefined ? { token: spec.credentials.token } : {}),
        // nats.js spreads these into tls.connect (cert/key/ca as PEM strings).
        ...(spec.secure ? { tls: tlsOptions(spec) as TlsOptions } : {}),
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        // The vetted address only: never servers the cluster gossips (they were not vetted).
        ignoreClusterUpdates: true,
      });
      void nc.closed().then(() => gone());
      return nc;
    } catch (err) {
      throw natsFault(err) ?? err;
    }
  }

  async function publish(spec: ConnectSpec, target: NatsTarget, message: DestinationMessage): Promise<string> {
    const nc = await pool.get(connectionKey(spec, ''), (gone) => open(spec, gone));
    const subject = message.orderingKey !== undefined ? `${target.subject}.${safeToken(message.orderingKey)}` : target.subject;
    const h = natsHeaders();
    for (const [name, value] of Object.entries(message.headers)) h.set(name, value);
    try {
      const ack = await nc.jetstream().publish(subject, message.body, { msgID: message.messageId, headers: h, timeout: message.timeoutMs });
      return `JetStream stream "${ack.stream}" seq ${ack.seq}${ack.duplicate ? ' (duplicate of an earlier attempt, stored once)' : ''}`;
    } catch (err) {
      throw natsFault(err) ?? err;
    }
  }

  return { name: 'NATS JetStream', protocols: ['nats:'], parse: parseNatsUrl, connectionScope: () => '', publish, close: () => pool.closeAll() };
}
