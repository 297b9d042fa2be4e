// MQTT 5 subscription: mqtt[s]://host[:port]/TOPIC-FILTER?client=ID[&expiry=SECONDS] (# as %23)
//
// - A persistent session: the stable client id of the URL, clean start false and a session expiry
//   (default one day), so the broker keeps the subscription and the QoS 1 messages that arrive or
//   stay unacknowledged while hookd is away, and sends them again when the same client id returns.
// - QoS 1 subscription to the filter (+ and # allowed).
// - The PUBACK follows the commit: mqtt.js sends it when the client's handleMessage calls back, and
//   handles incoming messages one at a time in arrival order. customHandleAcks cannot say "not yet":
//   its callback only picks the PUBACK's reason code, and any PUBACK completes the delivery.
// - A store failure (or a lost connection) closes the connection without the PUBACK: the broker
//   resends the message (DUP) when the session resumes; hookd reconnects with bounded backoff.
// - No dedupe key of the broker's own: packet ids are per connection and reused, so the source's
//   header rule applies (webhook-id / idempotency-key user properties; hookd's MQTT destination sets
//   webhook-id), which a resent message keeps.
// - Headers: the MQTT 5 user properties (lower-cased), content-type from the properties, and
//   mqtt-topic, the topic the message was published to (a header rule can take the event type or
//   the ordering key from it).

import { connect as mqttConnect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { backoffMs, type ConsumerKind, type RunningConsumer } from './consumer.js';
import type { BrokerMessage } from './ingest-message.js';

const KNOWN = ['client', 'expiry'];
const DEFAULT_EXPIRY_S = 86_400;

interface Params {
  filter: string;
  clientId: string;
  expiry: number;
}

function params(url: URL): Params | string {
  for (const name of url.searchParams.keys()) if (!KNOWN.includes(name)) return `Unknown URL parameter "${name}" (known: ${KNOWN.join(', ')}).`;
  // A bare # would start the URL's fragment and vanish from the path.
  if (url.hash !== '' || url.href.endsWith('#')) return 'Write the wildcard # of the topic filter as %23 (a bare # starts the URL fragment), e.g. mqtt://broker/factory/%23?client=hookd';
  let filter: string;
  try {
    filter = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    return 'The path is not valid percent-encoding.';
  }
  if (filter === '') return 'The path is the topic filter, e.g. mqtt://broker:1883/factory/+/orders?client=hookd-orders';
  if (filter.includes('\u0000') || Buffer.byteLength(filter) > 65_535) return 'The topic filter is not valid.';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# is only allowed as the whole last level of the filter (e.g. factory/#).';
    if (level.includes('+') && level !== '+') return '+ stands for one whole level (e.g. factory/+/orders).';
  }
  const clientId = url.searchParams.get('client') ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) return 'Give a stable client id for the persistent session: ?client=NAME (letters, digits, - and _, up to 64); two sources must not share one.';
  const text = url.searchParams.get('expiry');
  const expiry = text === null ? DEFAULT_EXPIRY_S : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(expiry >= 60 && expiry <= 4_294_967_295)) return 'expiry is the session expiry in seconds, a whole number from 60 to 4294967295.';
  return { filter, clientId, expiry };
}

function toMessage(packet: IPublishPacket): BrokerMessage {
  const headers: Record<string, string> = {};
  const props = packet.properties ?? {};
  for (const [name, value] of Object.entries(props.userProperties ?? {})) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (typeof props.contentType === 'string' && props.contentType !== '') headers['content-type'] = props.contentType;
  headers['mqtt-topic'] = packet.topic;
  const body = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  return { body, headers, brokerId: null, origin: `mqtt:${packet.topic}` };
}

export const mqttConsumer: ConsumerKind = {
  name: 'MQTT',
  protocols: ['mqtt:', 'mqtts:'],
  isSecure: (url) => url.protocol === 'mqtts:',
  defaultPort: (secure) => (secure ? 8883 : 1883),
  check: (url) => {
    const p = params(url);
    return typeof p === 'string' ? p : null;
  },
  async start(target, handle, onError): Promise<RunningConsumer> {
    const p = params(target.url) as Params;
    let stopped = false;
    let client: MqttClient | null = null;
    let failures = 0;
    let retry: NodeJS.Timeout | null = null;

    const options: IClientOptions = {
      host: target.address,
      port: target.port,
      protocol: target.secure ? 'mqtts' : 'mqtt',
      protocolVersion: 5,
      clientId: p.clientId,
      clean: false,
      // Maximum Packet Size: an MQTT 5 broker must not send hookd a larger message (it drops it for
      // this client), so a publisher on the topic cannot make hookd buffer hundreds of megabytes.
      properties: { sessionExpiryInterval: p.expiry, ...(target.maxMessageBytes !== undefined ? { maximumPacketSize: target.maxMessageBytes + 64 * 1024 } : {}) },
      connectTimeout: 10_000,
      keepalive: 30,
      // Reconnects are ours (below): a fresh client per connection, so a PUBACK of a message read on
      // a dropped connection can never go out on the next one.
      reconnectPeriod: 0,
      ...(target.username !== undefined ? { username: target.username, password: target.password ?? '' } : target.password !== undefined ? { password: target.password } : {}),
      ...(target.secure ? { servername: target.hostname } : {}),
    };

    const connect = async (): Promise<void> => {
      // The handler is in place before the CONNACK: a resumed session's queued messages follow it at
      // once, and mqtt.js's default handler would acknowledge them unstored.
      const c = mqttConnect(options);
      let dropped = false;
      let connected = false;
      const drop = (err: unknown): void => {
        if (dropped) return;
        dropped = true;
        // Only a connection that finished setting up (client === c) schedules its own reconnect; one
        // that fails while subscribing makes connect() throw, and its caller retries. Both at once
        // made two retry chains, one of them out of stop()'s reach.
        const live = client === c;
        if (live) client = null;
        void c.endAsync(true).catch(() => undefined);
        if (stopped || !connected || !live) return;
        onError(err);
        failures += 1;
        retry = setTimeout(() => void reconnect(), backoffMs(failures));
      };
      c.handleMessage = (packet, callback) => {
        void (async () => {
          if (dropped) return;
          try {
            await handle(toMessage(packet));
          } catch (err) {
            // No PUBACK: the broker resends the message when the session resumes.
            drop(err);
            return;
          }
          if (dropped) return;
          failures = 0;
          callback();
        })();
      };
      await new Promise<void>((resolve, reject) => {
        c.once('connect', () => resolve());
        c.on('error', (err) => (connected ? drop(err) : reject(err)));
        c.on('close', () => (connected ? drop(new Error('connection closed')) : reject(new Error('connection closed before CONNACK'))));
      }).catch(async (err: unknown) => {
        dropped = true;
        await c.endAsync(true).catch(() => undefined);
        throw err;
      });
      connected = true;
      try {
        const granted = await c.subscribeAsync(p.filter, { qos: 1 });
        const g = granted[0];
        if (g === undefined || g.qos > 2) throw new Error(`the broker refused the subscription to "${p.filter}" (reason ${g?.qos ?? 'none'})`);
      } catch (err) {
        dropped = true;
        await c.endAsync(true).catch(() => undefined);
        throw err;
      }
      // stop() may have run while this connection was being set up (it found no client to end).
      if (stopped || dropped) {
        dropped = true;
        await c.endAsync(true).catch(() => undefined);
        if (stopped) return;
        throw new Error('the connection closed while subscribing');
      }
      client = c;
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
        const c = client;
        client = null;
        // Forced: no DISCONNECT wait for in-flight acks; an unacked message stays with the session.
        await c?.endAsync(true).catch(() => undefined);
      },
    };
  },
};
