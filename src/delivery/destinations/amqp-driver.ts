// RabbitMQ (AMQP 0-9-1): amqp[s]://host[:port][/vhost]?exchange=X&routingKey=K
//
// - Publisher confirms: one confirm channel per pooled connection; an attempt succeeds on the ack.
// - mandatory: an unroutable message (no queue bound to the routing key) comes back as basic.return
//   before its ack, and is a failure (broker_no_route), not a silent drop.
// - Messages are persistent (delivery mode 2) with the Standard Webhooks headers as AMQP headers,
//   message-id = the delivery id, content-type application/json.
// - Ordering key: the header hookd-ordering-key; with orderingKeyInRoutingKey=true also appended to the
//   routing key as ".<key>" (for consistent-hash or per-key bindings).
// - A channel error (404 no such exchange, 406 message too large) closes the channel only; the next
//   publish opens a new one on the same connection.

import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { ConnectionPool, connectionKey } from './pool.js';
import { DestinationError, safeToken, unknownParams, type ConnectSpec, type DestinationDriver, type DestinationMessage, type ParsedDestination } from './destination.js';
import { tlsOptions } from './tls-options.js';

export interface AmqpTarget {
  vhost: string;
  exchange: string;
  routingKey: string;
  orderingKeyInRoutingKey: boolean;
}

interface AmqpConnection {
  model: ChannelModel;
  channel: Promise<ConfirmChannelState> | null;
}

interface ConfirmChannelState {
  channel: ConfirmChannel;
  returned: Set<string>;
  closeError: Error | null;
}

export function parseAmqpUrl(url: URL): ParsedDestination<AmqpTarget> {
  const bad = unknownParams(url, ['exchange', 'routingKey', 'orderingKeyInRoutingKey']);
  if (bad) return { ok: false, message: bad };
  const path = url.pathname;
  let vhost = '/';
  if (path !== '' && path !== '/') {
    if (path.slice(1).includes('/')) return { ok: false, message: 'The path is the virtual host: one segment (write a vhost "/" as %2F, or leave the path empty).' };
    vhost = decodeURIComponent(path.slice(1));
  }
  const exchange = url.searchParams.get('exchange') ?? '';
  const routingKey = url.searchParams.get('routingKey') ?? '';
  if (exchange === '' && routingKey === '') return { ok: false, message: 'Give ?exchange=NAME (and &routingKey=KEY), or ?routingKey=QUEUE for the default exchange.' };
  const flag = url.searchParams.get('orderingKeyInRoutingKey');
  if (flag !== null && flag !== 'true' && flag !== 'false') return { ok: false, message: 'orderingKeyInRoutingKey must be true or false.' };
  const secure = url.protocol === 'amqps:';
  return { ok: true, secure, defaultPort: secure ? 5671 : 5672, target: { vhost, exchange, routingKey, orderingKeyInRoutingKey: flag === 'true' } };
}

/** An AMQP error (connection or channel) -> attempt code; null for socket errors (classified as HTTP's). */
function amqpFault(err: unknown): DestinationError | null {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'number' ? e.code : null;
  if (code === 403 || /ACCESS_REFUSED|Login was refused/i.test(message)) return new DestinationError('broker_auth_failed', `RabbitMQ refused access: ${message}`, { cause: err });
  if (code === 530 || /NOT_ALLOWED.*vhost|vhost .* not found/i.test(message)) return new DestinationError('broker_auth_failed', `RabbitMQ refused the virtual host: ${message}`, { cause: err });
  if (code === 404 || /NOT_FOUND/.test(message)) return new DestinationError('broker_no_route', `RabbitMQ: ${message}`, { cause: err });
  if (/larger than|too large|max size|message size/i.test(message)) return new DestinationError('message_too_large', `RabbitMQ: ${message}`, { cause: err });
  if (code !== null && code >= 300) return new DestinationError('broker_rejected', `RabbitMQ: ${message}`, { cause: err });
  return null;
}

export function createAmqpDriver(): DestinationDriver<AmqpTarget> {
  const pool = new ConnectionPool<AmqpConnection>(async (c) => {
    await c.model.close().catch(() => undefined);
  });

  async function open(spec: ConnectSpec, vhost: string, gone: () => void): Promise<AmqpConnection> {
    try {
      const model = await amqp.connect(
        {
          protocol: spec.secure ? 'amqps' : 'amqp',
          hostname: spec.address,
          port: spec.port,
          username: spec.credentials?.username ?? 'guest',
          password: spec.credentials?.password ?? spec.credentials?.token ?? 'guest',
          vhost,
          heartbeat: 30,
        },
        { timeout: spec.connectTimeoutMs, noDelay: true, clientProperties: { connection_name: 'hookd' }, ...(spec.secure ? tlsOptions(spec) : {}) },
      );
      model.on('error', () => gone());
      model.on('close', () => gone());
      return { model, channel: null };
    } catch (err) {
      throw amqpFault(err) ?? err;
    }
  }

  function channelOf(conn: AmqpConnection): Promise<ConfirmChannelState> {
    if (conn.channel) return conn.channel;
    const pending = conn.model.createConfirmChannel().then((channel) => {
      const state: ConfirmChannelState = { channel, returned: new Set(), closeError: null };
      channel.on('return', (msg: { properties: { messageId?: unknown } }) => {
        if (typeof msg.properties.messageId === 'string') state.returned.add(msg.properties.messageId);
      });
      channel.on('error', (err: Error) => {
        state.closeError = err;
      });
      channel.on('close', () => {
        if (conn.channel === pending) conn.channel = null;
      });
      return state;
    });
    conn.channel = pending;
    pending.catch(() => {
      if (conn.channel === pending) conn.channel = null;
    });
    return pending;
  }

  async function publish(spec: ConnectSpec, target: AmqpTarget, message: DestinationMessage): Promise<string> {
    const conn = await pool.get(connectionKey(spec, target.vhost), (gone) => open(spec, target.vhost, gone));
    const state = await channelOf(conn);
    const routingKey = target.orderingKeyInRoutingKey && message.orderingKey !== undefined ? `${target.routingKey}.${safeToken(message.orderingKey)}` : target.routingKey;
    const headers: Record<string, string> = { ...message.headers };
    return new Promise<string>((resolve, reject) => {
      const settle = (err: unknown): void => {
        state.returned.delete(message.messageId);
        // The channel's own error (404, 406) is emitted beside the generic "channel closed" the callback gets.
        const cause = state.closeError ?? err;
        setImmediate(() => reject(amqpFault(cause) ?? (cause instanceof Error ? cause : new Error(String(cause)))));
      };
      try {
        state.channel.publish(
          target.exchange,
          routingKey,
          message.body,
          { persistent: true, mandatory: true, contentType: 'application/json', messageId: message.messageId, timestamp: Math.floor(Date.now() / 1000), headers },
          (err: unknown) => {
            if (err) return settle(err);
            if (state.returned.delete(message.messageId)) {
              return reject(new DestinationError('broker_no_route', `RabbitMQ returned the message: no queue is bound to exchange "${target.exchange || '(default)'}" with routing key "${routingKey}".`));
            }
            resolve(`confirmed by RabbitMQ (exchange "${target.exchange || '(default)'}", routing key "${routingKey}")`);
          },
        );
      } catch (err) {
        settle(err);
      }
    });
  }

  return {
    name: 'RabbitMQ',
    protocols: ['amqp:', 'amqps:'],
    parse: parseAmqpUrl,
    connectionScope: (t) => t.vhost,
    publish,
    close: () => pool.closeAll(),
  };
}
