// RabbitMQ queue: amqp[s]://host[:port][/vhost]?queue=Q[&prefetch=N]
//
// - The queue must exist (checkQueue): hookd does not invent a queue nobody binds.
// - Manual acknowledgement, prefetch N (default 10); messages are handled one after another in
//   delivery order and each is acked only after its event is committed.
// - A store failure (or a lost connection) closes the connection: RabbitMQ requeues every unacked
//   message, and the consumer reconnects with bounded backoff. No nack-requeue loop.
// - The dedupe key is the message-id property (hookd's AMQP destination sets it to the delivery
//   id); without one the source's header rule applies. Headers: the AMQP headers table, plus
//   content-type from the properties.

import amqp from 'amqplib';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { backoffMs, type ConsumerKind, type RunningConsumer } from './consumer.js';
import type { BrokerMessage } from './ingest-message.js';

const KNOWN = ['queue', 'prefetch'];

interface Params {
  vhost: string;
  queue: string;
  prefetch: number;
}

function params(url: URL): Params | string {
  for (const name of url.searchParams.keys()) if (!KNOWN.includes(name)) return `Unknown URL parameter "${name}" (known: ${KNOWN.join(', ')}).`;
  const path = url.pathname;
  let vhost = '/';
  if (path !== '' && path !== '/') {
    if (path.slice(1).includes('/')) return 'The path is the virtual host: one segment (write a vhost "/" as %2F, or leave the path empty).';
    vhost = decodeURIComponent(path.slice(1));
  }
  const queue = url.searchParams.get('queue') ?? '';
  if (queue === '') return 'Give the queue: ?queue=NAME';
  const text = url.searchParams.get('prefetch');
  const prefetch = text === null ? 10 : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(prefetch >= 1 && prefetch <= 1000)) return 'prefetch must be a whole number from 1 to 1000.';
  return { vhost, queue, prefetch };
}

function toMessage(queue: string, msg: ConsumeMessage): BrokerMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((msg.properties.headers ?? {}))) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  const contentType = msg.properties.contentType as unknown;
  if (typeof contentType === 'string' && contentType !== '') headers['content-type'] = contentType;
  const id = msg.properties.messageId as unknown;
  return { body: msg.content, headers, brokerId: typeof id === 'string' && id !== '' ? `amqp:${queue}:${id}` : null, origin: `amqp:${queue}` };
}

export const amqpConsumer: ConsumerKind = {
  name: 'RabbitMQ',
  protocols: ['amqp:', 'amqps:'],
  isSecure: (url) => url.protocol === 'amqps:',
  defaultPort: (secure) => (secure ? 5671 : 5672),
  check: (url) => {
    const p = params(url);
    return typeof p === 'string' ? p : null;
  },
  async start(target, handle, onError): Promise<RunningConsumer> {
    const p = params(target.url) as Params;
    let stopped = false;
    let model: ChannelModel | null = null;
    let failures = 0;
    let retry: NodeJS.Timeout | null = null;

    const connect = async (): Promise<void> => {
      const m = await amqp.connect(
        { protocol: target.secure ? 'amqps' : 'amqp', hostname: target.address, port: target.port, username: target.username ?? 'guest', password: target.password ?? 'guest', vhost: p.vhost, heartbeat: 30 },
        { timeout: 10_000, noDelay: true, clientProperties: { connection_name: 'hookd-source' }, ...(target.secure ? { servername: target.hostname } : {}) },
      );
      let dropped = false;
      const drop = (err: unknown): void => {
        if (dropped) return;
        dropped = true;
        if (model === m) model = null;
        void m.close().catch(() => undefined);
        if (stopped) return;
        onError(err);
        failures += 1;
        retry = setTimeout(() => void reconnect(), backoffMs(failures));
      };
      m.on('error', (err: unknown) => drop(err));
      m.on('close', () => drop(new Error('connection closed')));
      try {
        const channel = await m.createChannel();
        channel.on('error', (err: unknown) => drop(err));
        channel.on('close', () => drop(new Error('channel closed')));
        await channel.checkQueue(p.queue);
        await channel.prefetch(p.prefetch);
        // One after another, in delivery order: the chain keeps acks behind their commits.
        let chain: Promise<void> = Promise.resolve();
        await channel.consume(p.queue, (msg) => {
          if (msg === null) return drop(new Error('the queue was deleted or the consumer cancelled'));
          chain = chain.then(async () => {
            if (dropped) return;
            try {
              await handle(toMessage(p.queue, msg));
              channel.ack(msg);
              failures = 0;
            } catch (err) {
              // Unacked: closing the connection requeues it (and those behind it).
              drop(err);
            }
          });
        });
      } catch (err) {
        dropped = true;
        await m.close().catch(() => undefined);
        throw err;
      }
      model = m;
    };

    const reconnect = async (): Promise<void> => {
      retry = null;
      if (stopped) return;
      try {
        await connect();
      } catch (err) {
        if (stopped) return;
        onError(err);
        failures += 1;
        retry = setTimeout(() => void reconnect(), backoffMs(failures));
      }
    };

    await connect();
    return {
      async stop() {
        stopped = true;
        if (retry) clearTimeout(retry);
        const m = model;
        model = null;
        await m?.close().catch(() => undefined);
      },
    };
  },
};
