// A destination other than HTTP plugs in at one place: the Sender. This dispatcher gets a sender
// that is not HTTP at all (it records messages for a `queue://` URL) and nothing else changes: the
// loop claims, the attempt pipeline signs, classifies and plans, the result writer records, and a
// failure is retried on the endpoint's schedule.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/core/event-bus.js';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { createDispatcher, type Dispatcher } from '../src/delivery/dispatcher.js';
import { createPublisher } from '../src/delivery/publisher.js';
import type { AuthProvider, Sender, SendRequest, SendResult } from '../src/delivery/sender-types.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { makeEndpoint } from '../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { verifyStandardWebhook } from '../src/signature/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hookd-custom-sender-'));
let store: Store;
let dispatcher: Dispatcher;
const sent: SendRequest[] = [];
let failNext = 0;

/** A transport that is not HTTP: "delivers" by recording, or fails as a broker that is down would. */
const queueSender: Sender = {
  async send(req): Promise<SendResult> {
    sent.push(req);
    const down = failNext > 0;
    if (down) failNext -= 1;
    return { status: down ? null : 200, headers: down ? null : {}, body: down ? null : '', bodyTruncated: false, durationMs: 1, errorCode: down ? 'connection_refused' : null, errorMessage: down ? 'broker down' : null, remoteAddress: null, requestHeaders: { ...req.headers } };
  },
  async close() {},
};
const noAuth: AuthProvider = { headersFor: async () => ({}), forget: () => undefined };

beforeAll(async () => {
  store = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  await store.migrate();
  const bus = new EventBus();
  const publisher = createPublisher({ store, checker: createSchemaChecker(), bus, requireEventTypes: false, now: Date.now });
  dispatcher = createDispatcher({
    store,
    sender: queueSender,
    auth: noAuth,
    publisher,
    bus,
    logger: pino({ level: 'silent' }),
    owner: 'custom-sender-test',
    userAgent: 'hookd/test',
    concurrency: 8,
    claimBatch: 8,
    pollIntervalMs: 20,
    leaseGraceMs: 5_000,
    connectTimeoutMs: 1_000,
    failingPeriodMs: 86_400_000,
  });
  bus.on('work.available', () => dispatcher.wake());
  dispatcher.start();
});

afterAll(async () => {
  await dispatcher.stop(1_000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually<T>(fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a non-HTTP sender plugged into the dispatcher', () => {
  it('delivers signed, records the attempt with the headers the sender reports, and retries a failure', async () => {
    const endpoint = makeEndpoint({ url: 'queue://orders', retrySchedule: [0, 0, 0] });
    await store.insertEndpoint(endpoint);
    failNext = 1;
    const [published] = await store.publishEvents([
      { id: `evt_${randomBytes(8).toString('hex')}`, type: 'order.created', tenant: endpoint.tenant, payload: '{"n":1}', rawBody: null, idempotencyKey: null, requestHash: 'h', sourceId: null, createdAt: Date.now(), deliveryIds: () => `dlv_${randomBytes(8).toString('hex')}` },
    ]);
    dispatcher.wake();
    const deliveries = await store.listDeliveries({ tenant: undefined, eventId: published!.event.id }, { limit: 10 });
    const id = deliveries.data[0]!.id;
    const done = await eventually(async () => {
      const d = await store.getDelivery(id, undefined);
      return d?.status === 'succeeded' ? d : null;
    });
    expect(done.attempts).toBe(2);
    const attempts = await store.listAttempts(id);
    expect(attempts.map((a) => a.code)).toEqual(expect.arrayContaining(['connection_refused', 'ok']));
    // The pipeline signed the message for the transport, and the log has what the sender reported.
    const last = sent.at(-1)!;
    expect(last.url).toBe('queue://orders');
    const verdict = verifyStandardWebhook({ body: last.body, secrets: [endpoint.secrets[0]!.secret], headers: last.headers });
    expect(verdict.ok).toBe(true);
    expect(attempts.every((a) => a.requestHeaders['webhook-id'] === published!.event.id)).toBe(true);
  });
});
