// The MQTT source against the real Mosquitto on this machine, on SQLite and PostgreSQL: a QoS 1
// subscription in a persistent session; each message becomes an event through the ingress path
// (MQTT 5 user properties and the topic as headers), a bad one is rejected, logged and acknowledged,
// a message read but not acknowledged comes back when the session resumes, and a redelivery of a
// message hookd already stored is absorbed by the source's dedupe (the webhook-id user property).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as mqttConnect, connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { createHarness, type Harness } from './helpers/harness.js';

const run = randomBytes(4).toString('hex');
let publisher: MqttClient;
let receiver: Server;
let receiverUrl: string;
const received: { body: string; headers: Record<string, unknown> }[] = [];

async function eventually<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  publisher = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId: `hookd-src-pub-${run}` });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await publisher?.endAsync(true).catch(() => undefined);
  await new Promise((r) => receiver?.close(r));
});

async function requests(harness: Harness, sourceId: string): Promise<any[]> {
  const res = await harness.request('GET', `/v1/sources/${sourceId}/requests?limit=250`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

describe.each(['sqlite', 'postgres'] as const)('MQTT source (%s)', (store) => {
  const base = `hookdsrc/${run}/${store}`;
  const clientId = `hookd-src-${run}-${store}`;
  const type = `brokersrc.mqtt.${store}.${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-mqtt-src-'));
  let schema: string | null = null;
  let env: Record<string, string> = {};
  let h: Harness | null = null;
  let sourceId = '';
  const publish = (topic: string, body: string, userProperties: Record<string, string> = {}): Promise<unknown> =>
    publisher.publishAsync(`${base}/${topic}`, body, { qos: 1, properties: { userProperties, contentType: 'application/json' } });
  const open = async (): Promise<Harness> => createHarness({ env }, { consumerRefreshMs: 100 });

  beforeAll(async () => {
    env = { HOOKD_DATA_DIR: dataDir };
    if (store === 'postgres') {
      schema = freshSchema('hookd_mqttsrc');
      env.DATABASE_URL = schemaUrl(SHARED_URL, schema);
    }
    h = await open();
  }, 30_000);

  afterAll(async () => {
    await h?.runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
    // End the persistent session on the broker: a clean start with no expiry drops it.
    const c = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId, clean: true, properties: { sessionExpiryInterval: 0 } }).catch(() => null);
    await c?.endAsync().catch(() => undefined);
  });

  it('validates the subscription URL precisely', async () => {
    const cases: [string, RegExp][] = [
      [`mqtt://127.0.0.1:1883/${base}/%23`, /stable client id/],
      [`mqtt://127.0.0.1:1883/${base}/#?client=x`, /as %23/],
      ['mqtt://127.0.0.1:1883/?client=x', /topic filter/],
      ['mqtt://127.0.0.1:1883/a/%23/b?client=x', /# is only allowed/],
      ['mqtt://127.0.0.1:1883/a/b+?client=x', /\+ stands for one whole level/],
      ['mqtt://127.0.0.1:1883/a?client=x&qos=2', /Unknown URL parameter "qos"/],
      ['mqtt://127.0.0.1:1883/a?client=x&expiry=5', /expiry/],
      ['mqtt://127.0.0.1:1883/a?client=bad%20id', /stable client id/],
      ['mqtt://u:p@127.0.0.1:1883/a?client=x', /credentials/],
    ];
    for (const [url, message] of cases) {
      const res = await h!.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'none' }, consume: { url } } });
      expect(res.status, res.text).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.detail).toMatch(message);
      expect(res.body.errors[0].path).toBe('/body/consume/url');
    }
  });

  it('turns a message into an event and a delivery (user properties and topic as headers); a bad one is logged and acknowledged', async () => {
    const ep = await h!.request('POST', '/v1/endpoints', { body: { url: receiverUrl, eventTypes: [type] } });
    expect(ep.status, ep.text).toBe(201);
    const res = await h!.request('POST', '/v1/sources', {
      body: {
        name: 'mqtt source',
        verify: { scheme: 'none' },
        eventType: { header: 'x-event-type' },
        orderingKey: { header: 'mqtt-topic' },
        consume: { url: `mqtt://127.0.0.1:1883/${base}/%23?client=${clientId}&expiry=600`, username: 'unused', password: 'sealed-secret' },
      },
    });
    expect(res.status, res.text).toBe(201);
    sourceId = res.body.id;
    expect(res.body.consume).toEqual({ url: `mqtt://127.0.0.1:1883/${base}/%23?client=${clientId}&expiry=600`, username: 'unused', password: '[redacted]' });
    expect(res.text).not.toContain('sealed-secret');
    await h!.runtime.consumers!.resync();
    await eventually(() => h!.runtime.consumers!.running().includes(sourceId));

    const before = received.length;
    await publish('line1', JSON.stringify({ n: 1 }), { 'x-event-type': type, 'webhook-id': `msg_${run}_1` });
    await publish('line1', '{oops', { 'x-event-type': type, 'webhook-id': `msg_${run}_2` });
    await publish('line1', JSON.stringify({ n: 3 }), { 'webhook-id': `msg_${run}_3` });
    const log = await eventually(async () => {
      const r = await requests(h!, sourceId);
      return r.length === 3 ? r : null;
    });
    expect(log.map((r) => r.verdict).sort()).toEqual(['accepted', 'rejected', 'rejected']);
    expect(log.filter((r) => r.verdict === 'rejected').map((r) => r.code).sort()).toEqual(['invalid_json', 'validation_failed']);
    const accepted = log.find((r) => r.verdict === 'accepted');
    expect(accepted.remoteAddress).toBe(`mqtt:${base}/line1`);
    expect(accepted.headers['webhook-id']).toBe(`msg_${run}_1`);
    await eventually(() => received.length === before + 1);
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ type, data: { n: 1 } });
    const deliveries = await h!.request('GET', `/v1/events/${accepted.eventId}/deliveries`);
    expect(deliveries.status, deliveries.text).toBe(200);
    expect(deliveries.body.data[0].orderingKey).toBe(`${base}/line1`);
  });

  it('asks the broker for nothing larger than the source takes (MQTT 5 Maximum Packet Size): a huge message never reaches hookd', async () => {
    const sizedClient = `${clientId}-sized`;
    const res = await h!.request('POST', '/v1/sources', { body: { name: 'sized', verify: { scheme: 'none' }, eventType: `${type}.sized`, maxBodyBytes: 2048, consume: { url: `mqtt://127.0.0.1:1883/${base}-sized/%23?client=${sizedClient}&expiry=60` } } });
    expect(res.status, res.text).toBe(201);
    const id = res.body.id as string;
    try {
      await h!.runtime.consumers!.resync();
      await eventually(() => h!.runtime.consumers!.running().includes(id));
      await publisher.publishAsync(`${base}-sized/big`, JSON.stringify({ pad: 'x'.repeat(512 * 1024) }), { qos: 1, properties: { userProperties: { 'webhook-id': `big_${run}` } } });
      await publisher.publishAsync(`${base}-sized/small`, JSON.stringify({ n: 1 }), { qos: 1, properties: { userProperties: { 'webhook-id': `small_${run}` } } });
      const log = await eventually(async () => {
        const r = await requests(h!, id);
        return r.length >= 1 ? r : null;
      });
      await new Promise((r) => setTimeout(r, 300));
      const all = await requests(h!, id);
      expect(all.map((r) => r.headers['webhook-id'])).toEqual([`small_${run}`]);
      expect(log[0].verdict).toBe('accepted');
    } finally {
      await h!.request('DELETE', `/v1/sources/${id}`);
      const c = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId: sizedClient, clean: true, properties: { sessionExpiryInterval: 0 } }).catch(() => null);
      await c?.endAsync().catch(() => undefined);
    }
  });

  it('replays a logged message as a new event', async () => {
    const accepted = (await requests(h!, sourceId)).find((r) => r.verdict === 'accepted');
    const before = received.length;
    const replay = await h!.request('POST', `/v1/sources/${sourceId}/requests/${accepted.id}/replay`);
    expect(replay.status, replay.text).toBe(202);
    expect(replay.body).toMatchObject({ replayOf: accepted.id, type, deliveries: 1 });
    await eventually(() => received.length === before + 1);
  });

  it('gets again, when the session resumes, messages read but not acknowledged; one already stored is a duplicate', async () => {
    await h!.runtime.close();
    h = null;
    // While hookd is away: the broker keeps the session's QoS 1 messages. msg 1 again is what a
    // crash between hookd's commit and its PUBACK looks like (the same message, the same webhook-id).
    await publish('line2', JSON.stringify({ n: 1 }), { 'x-event-type': type, 'webhook-id': `msg_${run}_1` });
    await publish('line2', JSON.stringify({ n: 4 }), { 'x-event-type': type, 'webhook-id': `msg_${run}_4` });
    // A consumer with hookd's client id takes the first and dies before acknowledging it (mqtt.js
    // hands over one message at a time, so the second stays queued behind it).
    const taken: string[] = [];
    const dying = mqttConnect({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 0 });
    dying.handleMessage = (packet) => {
      taken.push(String(packet.payload));
    };
    await eventually(() => taken.length === 1);
    expect(JSON.parse(taken[0]!)).toEqual({ n: 1 });
    await dying.endAsync(true);

    h = await open();
    const log = await eventually(async () => {
      const r = await requests(h!, sourceId);
      return r.length === 6 ? r : null;
    });
    expect(log.filter((r) => r.verdict === 'duplicate')).toHaveLength(1);
    expect(log.filter((r) => r.verdict === 'duplicate')[0].reason).toMatch(/Duplicate of/);
    const events = await h.request('GET', `/v1/events?type=${type}`);
    expect(events.status, events.text).toBe(200);
    // msg 1, its replay, msg 4.
    expect(events.body.data).toHaveLength(3);

    // Both were acknowledged this time: the session has nothing more for the client id.
    await h.runtime.close();
    h = null;
    const again: string[] = [];
    const probe = mqttConnect({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 0 });
    probe.handleMessage = (packet, cb) => {
      again.push(String(packet.payload));
      cb();
    };
    await new Promise<void>((r) => probe.once('connect', () => r()));
    await new Promise((r) => setTimeout(r, 500));
    await probe.endAsync(true);
    expect(again).toEqual([]);
    h = await open();
  }, 40_000);

  it('stops consuming when the consume member is removed', async () => {
    await eventually(() => h!.runtime.consumers!.running().includes(sourceId));
    const res = await h!.request('PATCH', `/v1/sources/${sourceId}`, { body: { consume: null } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.consume).toBeNull();
    await h!.runtime.consumers!.resync();
    expect(h!.runtime.consumers!.running()).not.toContain(sourceId);
  });
});
