// MQTT 5: mqtt[s]://host[:port]/TOPIC (the topic may contain "/", percent-encode others)
//
// - QoS 1: the attempt succeeds on the PUBACK (reason code 0, or 16 "no matching subscribers", which
//   is the broker's receipt; MQTT keeps nothing for absent non-persistent subscribers: see
//   docs/destinations.md).
// - The Standard Webhooks headers are MQTT 5 user properties; content type application/json,
//   payload format indicator utf-8.
// - Ordering key: appended to the topic as "/<key>" (a subscriber to "TOPIC/#" sees all keys), and
//   the user property hookd-ordering-key.
// - No automatic reconnect: a closed client is dropped from the pool and its unacknowledged
//   publishes fail (retried by hookd on schedule); the next send connects afresh.
// - The server's Maximum Packet Size (CONNACK) is checked before sending: message_too_large.

import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { ConnectionPool, connectionKey } from './pool.js';
import { DestinationError, safeToken, unknownParams, type ConnectSpec, type DestinationDriver, type DestinationMessage, type ParsedDestination } from './destination.js';
import { tlsOptions } from './tls-options.js';

export interface MqttTarget {
  topic: string;
}

interface MqttConnection {
  client: MqttClient;
  maximumPacketSize: number | undefined;
}

export function parseMqttUrl(url: URL): ParsedDestination<MqttTarget> {
  const bad = unknownParams(url, []);
  if (bad) return { ok: false, message: bad };
  const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (topic === '') return { ok: false, message: 'The path is the topic, e.g. mqtt://broker.example.com:1883/factory/orders' };
  if (/[+#]/.test(topic) || topic.includes('\u0000')) return { ok: false, message: `"${topic}" is not a topic to publish to (no wildcards + or #).` };
  const secure = url.protocol === 'mqtts:';
  return { ok: true, secure, defaultPort: secure ? 8883 : 1883, target: { topic } };
}

function mqttFault(err: unknown): DestinationError | null {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'number' ? e.code : null;
  if (code === 134 || code === 135 || code === 4 || code === 5 || /not authori[sz]ed|bad user ?name or password/i.test(message)) return new DestinationError('broker_auth_failed', `MQTT broker refused: ${message}`, { cause: err });
  if (code === 149 || /packet too large|exceeding packets size/i.test(message)) return new DestinationError('message_too_large', `MQTT broker: ${message}`, { cause: err });
  if (code === 144) return new DestinationError('broker_no_route', `MQTT broker: ${message}`, { cause: err });
  if (code !== null && code >= 128) return new DestinationError('broker_rejected', `MQTT broker: ${message}`, { cause: err });
  if (/connection closed|client disconnecting/i.test(message)) return new DestinationError('connection_reset', `MQTT: ${message}`, { cause: err });
  return null;
}

export function createMqttDriver(): DestinationDriver<MqttTarget> {
  const pool = new ConnectionPool<MqttConnection>(async (c) => {
    await c.client.endAsync(true).catch(() => undefined);
  });

  async function open(spec: ConnectSpec, gone: () => void): Promise<MqttConnection> {
    try {
      const client = await connectAsync({
        host: spec.address,
        port: spec.port,
        protocol: spec.secure ? 'mqtts' : 'mqtt',
        protocolVersion: 5,
        clientId: `hookd-${randomBytes(6).toString('hex')}`,
        clean: true,
        connectTimeout: spec.connectTimeoutMs,
        reconnectPeriod: 0,
        ...(spec.credentials?.username !== undefined ? { username: spec.credentials.username, password: spec.credentials.password ?? '' } : {}),
        ...(spec.credentials?.token !== undefined ? { password: spec.credentials.token } : {}),
        ...(spec.secure ? tlsOptions(spec) : {}),
      });
      // The CONNACK's properties (mqtt.js keeps them on the client).
      const server = (client as unknown as { _serverProperties?: { maximumPacketSize?: number } })._serverProperties;
      const conn: MqttConnection = { client, maximumPacketSize: server?.maximumPacketSize };
      client.on('close', () => {
        gone();
        // Fail the publishes waiting for a PUBACK that will not come on this connection.
        void client.endAsync(true).catch(() => undefined);
      });
      client.on('error', () => gone());
      return conn;
    } catch (err) {
      throw mqttFault(err) ?? err;
    }
  }

  async function publish(spec: ConnectSpec, target: MqttTarget, message: DestinationMessage): Promise<string> {
    const conn = await pool.get(connectionKey(spec, ''), (gone) => open(spec, gone));
    const topic = message.orderingKey !== undefined ? `${target.topic}/${safeToken(message.orderingKey)}` : target.topic;
    const max = conn.maximumPacketSize;
    if (max !== undefined && message.body.length > max) throw new DestinationError('message_too_large', `The message (${message.body.length} bytes) exceeds the MQTT broker's maximum packet size of ${max} bytes.`);
    try {
      const ack = await conn.client.publishAsync(topic, message.body, {
        qos: 1,
        properties: { userProperties: { ...message.headers }, contentType: 'application/json', payloadFormatIndicator: true },
      });
      const rc = (ack as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
      return `PUBACK from the MQTT broker on "${topic}"${rc === 16 ? ' (no matching subscribers)' : ''}`;
    } catch (err) {
      throw mqttFault(err) ?? err;
    }
  }

  return { name: 'MQTT', protocols: ['mqtt:', 'mqtts:'], parse: parseMqttUrl, connectionScope: () => '', publish, close: () => pool.closeAll() };
}
