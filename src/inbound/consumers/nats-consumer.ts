// NATS JetStream durable consumer: nats://host[:port][/subject]?stream=S&durable=D[&start=$|0][&tls=true]
//
// - The durable is used as it is when it exists; otherwise hookd creates it (explicit acks, filtered
//   on the subject of the path when given, start $ = new messages only (default) or 0 = the whole
//   stream).
// - Each message is acked after its commit; a store failure naks it with a 1 s delay, and a crash
//   leaves it unacked until the durable's ack_wait passes, then JetStream redelivers it.
// - The dedupe key is the stream sequence (`nats:<stream>:<seq>`), which a redelivery keeps.
// - The client reconnects itself (only to the vetted address: cluster gossip is ignored).

import { AckPolicy, connect, DeliverPolicy, type ConsumerMessages, type NatsConnection } from 'nats';
import type { ConsumerKind, RunningConsumer } from './consumer.js';
import type { BrokerMessage } from './ingest-message.js';

const KNOWN = ['stream', 'durable', 'start', 'tls'];

interface Params {
  subject: string | null;
  stream: string;
  durable: string;
  start: '$' | '0';
}

function params(url: URL): Params | string {
  for (const name of url.searchParams.keys()) if (!KNOWN.includes(name)) return `Unknown URL parameter "${name}" (known: ${KNOWN.join(', ')}).`;
  const subject = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (subject.includes('/') || /\s/.test(subject)) return 'The path is one subject (dots between tokens, * and > allowed), e.g. nats://host/orders.>?stream=ORDERS&durable=hookd';
  const stream = url.searchParams.get('stream') ?? '';
  const durable = url.searchParams.get('durable') ?? '';
  if (stream === '' || durable === '') return 'Give the stream and the durable consumer: ?stream=NAME&durable=NAME';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(durable)) return 'The durable name takes letters, digits, - and _ only.';
  const start = url.searchParams.get('start') ?? '$';
  if (start !== '$' && start !== '0') return 'start must be $ (new messages) or 0 (the whole stream).';
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'true' && tls !== 'false') return 'tls must be true or false.';
  return { subject: subject === '' ? null : subject, stream, durable, start };
}

export const natsConsumer: ConsumerKind = {
  name: 'NATS JetStream',
  protocols: ['nats:'],
  isSecure: (url) => url.searchParams.get('tls') === 'true',
  defaultPort: () => 4222,
  check: (url) => {
    const p = params(url);
    return typeof p === 'string' ? p : null;
  },
  async start(target, handle, onError): Promise<RunningConsumer> {
    const p = params(target.url) as Params;
    const server = target.address.includes(':') ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
    const nc: NatsConnection = await connect({
      servers: server,
      name: 'hookd-source',
      timeout: 10_000,
      ...(target.username !== undefined ? { user: target.username, pass: target.password ?? '' } : target.password !== undefined ? { token: target.password } : {}),
      ...(target.secure ? { tls: { servername: target.hostname } as never } : {}),
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ignoreClusterUpdates: true,
    });
    let messages: ConsumerMessages;
    try {
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.consumers.info(p.stream, p.durable);
      } catch {
        await jsm.consumers.add(p.stream, {
          durable_name: p.durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: p.start === '0' ? DeliverPolicy.All : DeliverPolicy.New,
          ...(p.subject !== null ? { filter_subject: p.subject } : {}),
        });
      }
      const consumer = await nc.jetstream().consumers.get(p.stream, p.durable);
      messages = await consumer.consume({ max_messages: 10 });
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
    void (async () => {
      for await (const m of messages) {
        const headers: Record<string, string> = {};
        if (m.headers) for (const name of m.headers.keys()) headers[name.toLowerCase()] = m.headers.get(name);
        const message: BrokerMessage = { body: Buffer.from(m.data), headers, brokerId: `nats:${p.stream}:${m.seq}`, origin: `nats:${m.subject}` };
        try {
          await handle(message);
          m.ack();
        } catch (err) {
          onError(err);
          m.nak(1000);
        }
      }
    })().catch((err: unknown) => onError(err));
    return {
      async stop() {
        messages.stop();
        await nc.close().catch(() => undefined);
      },
    };
  },
};
