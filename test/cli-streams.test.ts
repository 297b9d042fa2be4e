// The long-running commands: `listen` forwarding real deliveries byte for byte to a real local app
// (and cleaning up on SIGTERM), the blocked_address explanation, and `tail` seeing a delivery.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../src/signature/index.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { ndjson, startCli, startServer, type RunningCli, type TestServer } from './cli-helpers.js';

let server: TestServer;
let app: Receiver;
const running: RunningCli[] = [];

beforeAll(async () => {
  server = await startServer();
  app = await startReceiver((_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-app': 'yes' });
    res.end('{"stored":true}');
  }, '/webhooks');
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

function start(args: string[], env = server.env): RunningCli {
  const p = startCli(args, env);
  running.push(p);
  return p;
}

describe('listen', () => {
  it('creates an endpoint, forwards each delivery with its bytes and headers, prints it, and removes the endpoint on SIGTERM', async () => {
    const listen = start(['listen', '--forward-to', app.url, '--events', 'chat.started', '--json']);
    await listen.waitFor(/"kind":"ready"/);
    const ready = ndjson(listen.stdout())[0];
    expect(ready).toMatchObject({ kind: 'ready', forwardTo: app.url, eventTypes: ['chat.started'] });
    expect(ready.secret).toMatch(/^whsec_/);

    const published = await server.harness.request('POST', '/v1/events', { body: { type: 'chat.started', data: { conversationId: 'conv_1', text: 'héllo' } } });
    expect(published.body.deliveries).toBe(1);
    const [received] = await app.waitFor(1);
    // The app gets hookd's request: same body bytes and signature headers, verifiable with the printed secret.
    expect(received!.headers['webhook-id']).toBe(published.body.id);
    const verdict = verifyStandardWebhook({ body: received!.body, headers: received!.headers, secrets: ready.secret });
    expect(verdict.ok).toBe(true);
    expect(JSON.parse(received!.body.toString('utf8')).data).toEqual({ conversationId: 'conv_1', text: 'héllo' });
    expect(received!.headers['user-agent']).toMatch(/^hookd\//);

    await listen.waitFor(/"kind":"delivery"/);
    const line = ndjson(listen.stdout()).find((l) => l.kind === 'delivery');
    expect(line).toMatchObject({ webhookId: published.body.id, eventType: 'chat.started', status: 201, error: null });
    expect(typeof line.durationMs).toBe('number');

    // hookd recorded the app's answer, relayed by the listener.
    // The attempt is committed by the dispatcher's result writer after the answer came back, so it
    // can land a moment after the listener printed its line.
    const deliveries = await server.harness.request('GET', `/v1/deliveries?endpoint=${ready.endpointId}`);
    const attempt = await eventually(async () => (await server.harness.request('GET', `/v1/deliveries/${deliveries.body.data[0].id}`)).body.attempts[0]);
    expect(attempt).toMatchObject({ responseStatus: 201, response: { body: '{"stored":true}' } });

    listen.child.kill('SIGTERM');
    expect(await listen.exited()).toBe(0);
    expect(ndjson(listen.stdout()).at(-1)).toMatchObject({ kind: 'stopped', deleted: true });
    expect((await server.harness.request('GET', `/v1/endpoints/${ready.endpointId}`)).status).toBe(404);
  });

  it('prints human lines with status and latency, and answers 502 to hookd when the app is down', async () => {
    const listen = start(['listen', '-f', 'http://127.0.0.1:1/nothing-here']);
    const secret = (await listen.waitFor(/signing secret is (whsec_\S+)/, 15_000, 'stderr'))[1];
    expect(secret).toBeDefined();
    const endpointId = (await listen.waitFor(/endpoint (ep_\S+)/, 5000, 'stderr'))[1]!;
    await server.harness.request('PATCH', `/v1/endpoints/${endpointId}`, { body: { retrySchedule: [0] } });
    await server.harness.request('POST', '/v1/events', { body: { type: 'call.ended', data: { callId: 'call_1' } } });
    const m = await listen.waitFor(/--> call\.ended \[(evt_\S+)\]\s+<-- \[ERR\] \S+ POST http:\/\/127\.0\.0\.1:1\/nothing-here \((\d+) ms\)/);
    expect(m[1]).toMatch(/^evt_/);
    listen.child.kill('SIGINT');
    expect(await listen.exited()).toBe(0);
    expect((await server.harness.request('GET', `/v1/endpoints/${endpointId}`)).status).toBe(404);
  });

  it('explains HOOKD_ALLOW_PRIVATE and exits 2 when the server refuses loopback (blocked_address)', async () => {
    const strict = await startServer({ allowPrivate: [] });
    try {
      const listen = start(['listen', '--forward-to', app.url], strict.env);
      const code = await listen.exited();
      expect(code).toBe(2);
      expect(listen.stderr()).toContain('blocked_address');
      expect(listen.stderr()).toContain('HOOKD_ALLOW_PRIVATE=127.0.0.1/32');
    } finally {
      await strict.close();
    }
  });
});

describe('tail', () => {
  it('prints one NDJSON line per attempt, with the event type, and stops after --count', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['agent.assigned'] } });
    try {
      const tail = start(['tail', '--json', '--count', '1', '--endpoint', ep.body.id]);
      // The stream is connected once the server has a listener; give it a moment, then publish.
      await new Promise((r) => setTimeout(r, 1500));
      const published = await server.harness.request('POST', '/v1/events', { body: { type: 'agent.assigned', data: { agent: 'Sam' } } });
      expect(await tail.exited(15_000)).toBe(0);
      const lines = ndjson(tail.stdout());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ kind: 'attempt', eventId: published.body.id, endpointId: ep.body.id, eventType: 'agent.assigned', responseStatus: 201, code: 'ok', status: 'succeeded' });
    } finally {
      await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
    }
  });

  it('prints a human line per attempt and exits 0 on Ctrl-C', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['call.ended'] } });
    try {
      const tail = start(['tail']);
      await tail.waitFor(/following attempts/, 15_000, 'stderr');
      const published = await server.harness.request('POST', '/v1/events', { body: { type: 'call.ended', data: {} } });
      await tail.waitFor(new RegExp(`\\[201\\] ok\\s+\\d+ ms\\s+call\\.ended ${published.body.id} -> ${ep.body.id}\\s+succeeded`));
      tail.child.kill('SIGINT');
      expect(await tail.exited()).toBe(0);
    } finally {
      await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
    }
  });
});
