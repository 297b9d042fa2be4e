// Transforms: the QuickJS sandbox contains hostile code (infinite loop, 1 GB allocation, require,
// process, fetch, globalThis escapes, a native call past the CPU interrupt that only the worker
// deadline stops) while a healthy endpoint keeps receiving; the signature covers
// the transformed bytes; null cancels; the presets produce the Slack, Discord and Teams shapes those
// services document (checked by loopback receivers); the test route and the version history.

import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerDrivers, createDestinationRegistry } from '../src/delivery/destinations/index.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import { createTransformRunner } from '../src/delivery/transform-runner.js';
import { createTransformSandbox, type OutgoingWebhook } from '../src/delivery/transform-sandbox.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

const input: OutgoingWebhook = {
  event: { id: 'evt_1', type: 'chat.started', tenant: null, createdAt: '2026-01-01T00:00:00.000Z', data: { n: 1 } },
  url: 'https://receiver.example.com/in',
  method: 'POST',
  headers: { 'x-team': 'support' },
  body: { type: 'chat.started', data: { n: 1 } },
};

describe('HOOKD_REQUIRE_HTTPS and a transform that changes the URL', () => {
  const registry = createDestinationRegistry(createSsrfPolicy({ allowPrivate: [] }), createBrokerDrivers());
  const sandbox = createTransformSandbox({ memoryLimitBytes: 16 * 1024 * 1024, cpuTimeMs: 100, workers: 1 });
  afterAll(() => sandbox.close());
  const event = { id: 'evt_tls', type: 'chat.started', tenant: null, createdAt: Date.parse('2026-01-01T00:00:00Z'), payload: '{"n":1}' };
  const endpointWith = (code: string) => ({ id: 'ep_tls', transform: { code, version: 1 } }) as unknown as Parameters<ReturnType<typeof createTransformRunner>['apply']>[0];
  const request = { url: 'https://receiver.example.com/in', headers: {}, body: Buffer.from('{}') };

  it('refuses a change to http:// when TLS is required, keeps https:// and untouched URLs', async () => {
    const strict = createTransformRunner({ sandbox, dashboardUrl: 'http://127.0.0.1', requireTls: (url) => registry.isSecure(url) });
    const toHttp = await strict.apply(endpointWith('function transform(w) { w.url = "http://user:hunter2@receiver.example.com/in?k=secret"; return w; }'), event as never, request);
    expect(toHttp).toMatchObject({ kind: 'error', message: expect.stringContaining('without TLS (http://receiver.example.com/in)') });
    expect((toHttp as { message: string }).message).not.toMatch(/secret|hunter2|user/);
    const toHttps = await strict.apply(endpointWith('function transform(w) { w.url = "https://other.example.com/in"; return w; }'), event as never, request);
    expect(toHttps).toMatchObject({ kind: 'ok', request: { url: 'https://other.example.com/in' } });
    const lax = createTransformRunner({ sandbox, dashboardUrl: 'http://127.0.0.1' });
    expect(await lax.apply(endpointWith('function transform(w) { w.url = "http://receiver.example.com/in"; return w; }'), event as never, request)).toMatchObject({ kind: 'ok' });
  });

  it('counts TLS broker URLs as TLS, as each broker driver parses them', () => {
    const secure = ['https://a/x', 'amqps://h/?exchange=e', 'mqtts://h/t', 'rediss://h?stream=s', 'nats://h/s?tls=true'];
    const plain = ['http://a/x', 'amqp://h/?exchange=e', 'mqtt://h/t', 'redis://h?stream=s', 'nats://h/s', 'not a url', 'amqps://h/'];
    expect(secure.map((u) => registry.isSecure(u))).toEqual(secure.map(() => true));
    expect(plain.map((u) => registry.isSecure(u))).toEqual(plain.map(() => false));
  });
});

describe('sandbox', () => {
  const sandbox = createTransformSandbox({ memoryLimitBytes: 16 * 1024 * 1024, cpuTimeMs: 100 });
  afterAll(() => sandbox.close());

  it('returns the changed webhook, or cancels on null', async () => {
    const out = await sandbox.run('a@1', 'function transform(w) { w.body = { text: w.event.type + " " + w.body.data.n }; w.headers["x-extra"] = "1"; return w; }', input);
    expect(out).toMatchObject({ kind: 'ok', webhook: { body: { text: 'chat.started 1' }, headers: { 'x-team': 'support', 'x-extra': '1' } } });
    expect(await sandbox.run('b@1', 'function transform(w) { return null; }', input)).toMatchObject({ kind: 'cancelled' });
  });

  it.each([
    ['an infinite loop', 'function transform(w) { for (;;) {} }', /CPU limit of 100 ms/],
    ['a 1 GB allocation', 'function transform(w) { w.body = "\u00e9".repeat(1 << 29); return w; }', /memory limit of 16 MiB/],
    ['a 1 GB array', 'function transform(w) { w.body = new Array(1 << 27).fill(0); return w; }', /memory limit of 16 MiB/],
    ['an allocation loop', 'function transform(w) { const a = []; for (;;) a.push({ n: a.length, s: "item" + a.length }); }', /memory limit|CPU limit/],
    ['a 1 GB typed array', 'function transform(w) { return { body: new Uint8Array(1 << 30).length }; }', /ReferenceError: .*Uint8Array/],
    ['a 1 GB string', 'function transform(w) { let s = "x"; while (true) s += s; }', /memory limit|out of memory|CPU limit|string too long/],
    ['deep recursion', 'function transform(w) { const f = (n) => f(n + 1) + 1; return f(0); }', /stack|CPU limit/],
    ['require', 'function transform(w) { return require("fs").readFileSync("/etc/passwd", "utf8"); }', /ReferenceError: .*require/],
    ['process', 'function transform(w) { process.exit(1); }', /ReferenceError: .*process/],
    ['fetch', 'function transform(w) { fetch("http://127.0.0.1:1/"); return w; }', /ReferenceError: .*fetch/],
    ['a constructor escape', 'function transform(w) { const g = (function(){}).constructor("return this")(); return g.process.mainModule.require("fs"); }', /TypeError/],
    ['globalThis probing', 'function transform(w) { if (typeof globalThis.process !== "undefined" || typeof globalThis.require !== "undefined" || typeof globalThis.setTimeout !== "undefined") return w; throw new Error("no host objects: " + Object.getOwnPropertyNames(globalThis).filter((n) => /process|require|fetch|module|Buffer/.test(n)).join(",")); }', /Error: no host objects: +\(at /],
    ['a throw', 'function transform(w) { throw new Error("boom"); }', /Error: boom/],
    ['a bad return', 'function transform(w) { return 42; }', /must return the webhook object or null/],
    ['a bad header', 'function transform(w) { w.headers.x = 1; return w; }', /non-string value/],
    ['no transform function', 'const x = 1;', /must define function transform/],
    ['a syntax error', 'function transform(w) {', /SyntaxError/],
  ])('contains %s as an error, never the process', async (_name, code, message) => {
    const out = await sandbox.run(`hostile-${_name}@1`, code, input);
    expect(out.kind).toBe('error');
    if (out.kind === 'error') expect(out.message).toMatch(message);
    expect(out.durationMs).toBeLessThan(3000);
    // The sandbox still works afterwards.
    expect((await sandbox.run('after@1', 'function transform(w) { return w; }', input)).kind).toBe('ok');
  });

  it('stops a worker stuck in a native call at its deadline, answers the next call, and keeps the event loop free meanwhile', async () => {
    let last = performance.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 20);
    try {
      const stuck = sandbox.run('bomb@1', 'function transform(w) { for (;;) { const s = "ab".repeat(1 << 22); s.indexOf("abc"); } }', input);
      // The pool's other worker serves a healthy call meanwhile.
      expect((await sandbox.run('healthy@1', 'function transform(w) { return w; }', input)).kind).toBe('ok');
      const out = await stuck;
      expect(out).toMatchObject({ kind: 'error', message: expect.stringMatching(/the transform exceeded its time: still running after 2500 ms/) });
      expect(out.durationMs).toBeGreaterThanOrEqual(2400);
      expect(out.durationMs).toBeLessThan(10_000);
    } finally {
      clearInterval(tick);
    }
    expect(worstGap).toBeLessThan(1000);
    expect((await sandbox.run('after-bomb@1', 'function transform(w) { return w; }', input)).kind).toBe('ok');
  });

  it('answers every call after close with an error', async () => {
    const own = createTransformSandbox({ memoryLimitBytes: 16 * 1024 * 1024, cpuTimeMs: 100, workers: 1 });
    expect((await own.run('a@1', 'function transform(w) { return w; }', input)).kind).toBe('ok');
    own.close();
    expect(await own.run('a@1', 'function transform(w) { return w; }', input)).toMatchObject({ kind: 'error', message: 'the sandbox is closed' });
  });

  it('gives import() nothing to load', async () => {
    const out = await sandbox.run('import@1', 'function transform(w) { let got = "none"; import("fs").then(() => { got = "loaded"; }, () => { got = "refused"; }); w.body = { got }; return w; }', input);
    if (out.kind === 'ok') expect(out.webhook.body).toEqual({ got: 'none' });
    else expect(out.kind === 'error' ? out.message : out.kind).not.toMatch(/loaded/);
  });

  it('keeps one run from leaking into another endpoint', async () => {
    await sandbox.run('x@1', 'var leaked = 1; globalThis.shared = 2; function transform(w) { return w; }', input);
    const other = await sandbox.run('y@1', 'function transform(w) { w.body = { seen: typeof shared + "/" + typeof leaked }; return w; }', input);
    expect(other).toMatchObject({ kind: 'ok', webhook: { body: { seen: 'undefined/undefined' } } });
  });
});

describe('transforms over the API and in deliveries', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    h = await createHarness({ publicUrl: 'https://hookd.example.com' });
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });
  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }
  async function endpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string; transform: any }> {
    const res = await h.request('POST', '/v1/endpoints', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }
  async function publish(type: string, data: unknown): Promise<string> {
    const res = await h.request('POST', '/v1/events', { body: { type, data } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id;
  }
  async function deliveryOf(eventId: string, endpointId: string): Promise<any> {
    const list = await h.request('GET', `/v1/deliveries?event=${eventId}&endpoint=${endpointId}`);
    const d = list.body.data[0];
    return d ? (await h.request('GET', `/v1/deliveries/${d.id}`)).body : null;
  }

  it('sends the transformed body, signed over the transformed bytes, and a null return cancels', async () => {
    const r = await receiver();
    const code = 'function transform(w) { if (w.event.data.skip) return null; w.body = { summary: w.event.type + ":" + w.event.data.chatId }; w.headers["x-transformed"] = "yes"; w.headers["webhook-signature"] = "forged"; return w; }';
    const ep = await endpoint({ url: r.url, eventTypes: ['chat.transform'], transform: { code } });
    expect(ep.transform).toMatchObject({ version: 1, code });
    const eventId = await publish('chat.transform', { chatId: 'c-9' });
    const [req] = await r.waitFor(1);
    const body = req!.body.toString('utf8');
    expect(JSON.parse(body)).toEqual({ summary: 'chat.transform:c-9' });
    expect(req!.headers['x-transformed']).toBe('yes');
    expect(req!.headers['webhook-signature']).not.toBe('forged');
    expect(new StandardWebhook(ep.secret).verify(body, req!.headers)).toEqual({ summary: 'chat.transform:c-9' });
    expect(req!.headers['webhook-id']).toBe(eventId);

    const skipped = await publish('chat.transform', { chatId: 'c-10', skip: true });
    const d = await eventually(async () => {
      const x = await deliveryOf(skipped, ep.id);
      return x && x.status === 'cancelled' ? x : null;
    }, 10_000);
    expect(d.attempts[0]).toMatchObject({ code: 'transform_cancelled', responseStatus: null });
    expect(r.requests).toHaveLength(1);
  });

  it('a hostile transform fails its own attempts with transform_failed while a healthy endpoint keeps receiving', async () => {
    const healthy = await receiver();
    const victim = await receiver();
    const good = await endpoint({ url: healthy.url, eventTypes: ['chat.hostile'] });
    const loop = await endpoint({ url: victim.url, eventTypes: ['chat.hostile'], retrySchedule: [0, 1], transform: { code: 'function transform(w) { for (;;) {} }' } });
    const alloc = await endpoint({ url: victim.url, eventTypes: ['chat.hostile'], retrySchedule: [0, 1], transform: { code: 'function transform(w) { w.body = "\u00e9".repeat(1 << 29); return w; }' } });
    const escape = await endpoint({ url: victim.url, eventTypes: ['chat.hostile'], retrySchedule: [0, 1], transform: { code: 'function transform(w) { globalThis.constructor.constructor("return process")().exit(1); return w; }' } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish('chat.hostile', { i }));
    await healthy.waitFor(5, 20_000);
    for (const ep of [loop, alloc, escape]) {
      const d = await eventually(async () => {
        const x = await deliveryOf(ids[0]!, ep.id);
        return x && x.attempts.length > 0 ? x : null;
      }, 20_000);
      expect(d.attempts[0].code).toBe('transform_failed');
      expect(d.attempts[0].message).toMatch(/^transform failed: /);
    }
    const loopAttempt = (await deliveryOf(ids[0]!, loop.id)).attempts[0];
    expect(loopAttempt.message).toMatch(/CPU limit/);
    const allocAttempt = (await deliveryOf(ids[0]!, alloc.id)).attempts[0];
    expect(allocAttempt.message).toMatch(/memory limit/);
    expect(victim.requests).toHaveLength(0);
    // A broken transform says nothing about the receiver: the endpoint is not marked failing.
    const after = await h.request('GET', `/v1/endpoints/${loop.id}`);
    expect(after.body.failingSince).toBeNull();
    expect(after.body.enabled).toBe(true);
    for (const ep of [good, loop, alloc, escape]) await h.request('DELETE', `/v1/endpoints/${ep.id}`);
  });

  it('a native call the CPU interrupt cannot reach is stopped by the worker deadline, while the event loop and a healthy endpoint go on', async () => {
    const healthy = await receiver();
    const shaped = await receiver();
    const victim = await receiver();
    const good = await endpoint({ url: healthy.url, eventTypes: ['chat.bomb'] });
    const fine = await endpoint({ url: shaped.url, eventTypes: ['chat.bomb'], transform: { code: 'function transform(w) { w.body = { n: w.event.data.i }; return w; }' } });
    // Each repeat() + indexOf() near the memory cap runs natively for a long time; on the main thread
    // this held the event loop for many seconds.
    const bomb = await endpoint({ url: victim.url, eventTypes: ['chat.bomb'], retrySchedule: [0, 600], transform: { code: 'function transform(w) { for (;;) { const s = "ab".repeat(1 << 22); s.indexOf("abc"); } }' } });
    let last = performance.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 20);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await publish('chat.bomb', { i }));
      await healthy.waitFor(3, 20_000);
      await shaped.waitFor(3, 30_000);
      const d = await eventually(async () => {
        const x = await deliveryOf(ids[0]!, bomb.id);
        return x && x.attempts.length > 0 ? x : null;
      }, 30_000);
      expect(d.attempts[0].code).toBe('transform_failed');
      expect(d.attempts[0].message).toMatch(/^transform failed: the transform exceeded its time/);
    } finally {
      clearInterval(tick);
    }
    expect(worstGap).toBeLessThan(1000);
    expect(shaped.requests.map((r) => JSON.parse(r.body.toString('utf8')).n).sort()).toEqual([0, 1, 2]);
    expect(victim.requests).toHaveLength(0);
    for (const ep of [good, fine, bomb]) await h.request('DELETE', `/v1/endpoints/${ep.id}`);
  });

  it('refuses transform code that does not compile, with the message at /body/transform/code', async () => {
    const bad = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', transform: { code: 'function transform(w) {' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('invalid_transform');
    expect(bad.body.errors[0].path).toBe('/body/transform/code');
    for (const transform of [{ preset: 'irc' }, { code: '' }, { code: 'x', preset: 'slack' }, {}, 'code']) {
      const res = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', transform } });
      expect(res.status, JSON.stringify(transform)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('versions transforms: each change gets the next number and the replaced one is kept', async () => {
    const ep = await endpoint({ url: 'http://127.0.0.1:9/v', transform: { preset: 'slack' } });
    expect(ep.transform).toMatchObject({ version: 1, preset: 'slack' });
    const v2 = await h.request('PATCH', `/v1/endpoints/${ep.id}`, { body: { transform: { code: 'function transform(w) { return w; }' } } });
    expect(v2.body.transform).toMatchObject({ version: 2 });
    const same = await h.request('PATCH', `/v1/endpoints/${ep.id}`, { body: { transform: { code: 'function transform(w) { return w; }' } } });
    expect(same.body.transform.version).toBe(2);
    await h.request('PATCH', `/v1/endpoints/${ep.id}`, { body: { transform: null } });
    const v3 = await h.request('PATCH', `/v1/endpoints/${ep.id}`, { body: { transform: { preset: 'teams' } } });
    expect(v3.body.transform).toMatchObject({ version: 3, preset: 'teams' });
    const versions = await h.request('GET', `/v1/endpoints/${ep.id}/transform/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.current).toMatchObject({ version: 3, preset: 'teams' });
    expect(versions.body.previous.map((t: { version: number }) => t.version)).toEqual([2, 1]);
    await h.request('DELETE', `/v1/endpoints/${ep.id}`);
  });

  it('POST /v1/endpoints/{id}/transform/test shows the request for an example event, for saved or proposed code', async () => {
    const ep = await endpoint({ url: 'http://127.0.0.1:9/t', headers: { 'x-api-key': 'secret-value' }, transform: { code: 'function transform(w) { w.body = { hello: w.event.data.name }; return w; }' } });
    const saved = await h.request('POST', `/v1/endpoints/${ep.id}/transform/test`, { body: { event: { type: 'chat.started', data: { name: 'Ada' } } } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ result: 'ok', transform: { version: 1 }, request: { url: 'http://127.0.0.1:9/t', method: 'POST', json: { hello: 'Ada' } } });
    expect(saved.body.request.headers['x-api-key']).toBe('[redacted]');
    const proposed = await h.request('POST', `/v1/endpoints/${ep.id}/transform/test`, { body: { transform: { code: 'function transform(w) { throw new Error("nope " + w.event.type); }' }, event: { type: 'x.y' } } });
    expect(proposed.body).toMatchObject({ result: 'error', error: expect.stringMatching(/Error: nope x.y/) });
    const cancelled = await h.request('POST', `/v1/endpoints/${ep.id}/transform/test`, { body: { transform: { code: 'function transform() { return null; }' } } });
    expect(cancelled.body.result).toBe('cancelled');
    const preset = await h.request('POST', `/v1/endpoints/${ep.id}/transform/test`, { body: { transform: { preset: 'discord' }, event: { id: 'evt_x', type: 'a.b', data: { a: 1 } } } });
    expect(preset.body.request.json.embeds[0].url).toBe('https://hookd.example.com/#/events/evt_x');
    for (const body of [{ transform: { code: 'function (' } }, { event: { type: 'bad type' } }, { nope: 1 }]) {
      const res = await h.request('POST', `/v1/endpoints/${ep.id}/transform/test`, { body });
      expect([400, 422], JSON.stringify(body)).toContain(res.status);
      expect(res.body.code).toMatch(/validation_failed|invalid_transform/);
    }
    expect((await h.request('POST', '/v1/endpoints/ep_00000000000000000000000000000000/transform/test', { body: {} })).status).toBe(404);
    await h.request('DELETE', `/v1/endpoints/${ep.id}`);
  });

  describe('presets against receivers that check the documented shape', () => {
    const event = { chatId: 'c-1', customer: { tier: 'vip' }, channel: 'web' };
    const str = (v: unknown, max: number): boolean => typeof v === 'string' && v.length > 0 && v.length <= max;

    it('slack: an incoming-webhook message (text + Block Kit blocks) with type, tenant, summary and link', async () => {
      const r = await receiver();
      const ep = await endpoint({ url: r.url, tenant: 'acme', eventTypes: ['chat.preset-slack'], transform: { preset: 'slack' } });
      const res = await h.request('POST', '/v1/events', { body: { type: 'chat.preset-slack', tenant: 'acme', data: event } });
      const [req] = await r.waitFor(1);
      const msg = JSON.parse(req!.body.toString('utf8'));
      // Slack: `text` is required as the fallback when `blocks` are sent; blocks have a type each,
      // header text is plain_text (<= 150), section text mrkdwn (<= 3000), context elements <= 10.
      expect(str(msg.text, 40_000)).toBe(true);
      expect(msg.text).toContain('chat.preset-slack');
      expect(msg.text).toContain('acme');
      expect(msg.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context']);
      expect(msg.blocks[0].text.type).toBe('plain_text');
      expect(str(msg.blocks[0].text.text, 150)).toBe(true);
      expect(msg.blocks[1].text.type).toBe('mrkdwn');
      expect(msg.blocks[1].text.text).toContain('customer.tier: vip');
      expect(msg.blocks[2].elements.length).toBeLessThanOrEqual(10);
      expect(msg.blocks[2].elements[0].text).toContain(`<https://hookd.example.com/#/events/${res.body.id}|`);
      expect(new StandardWebhook(ep.secret).verify(req!.body.toString('utf8'), req!.headers)).toEqual(msg);
    });

    it('discord: a webhook message (content + embeds within the documented limits)', async () => {
      const r = await receiver();
      await endpoint({ url: r.url, eventTypes: ['chat.preset-discord'], transform: { preset: 'discord' } });
      const id = await publish('chat.preset-discord', event);
      const [req] = await r.waitFor(1);
      const msg = JSON.parse(req!.body.toString('utf8'));
      expect(str(msg.content, 2000)).toBe(true);
      expect(msg.allowed_mentions).toEqual({ parse: [] });
      expect(msg.embeds).toHaveLength(1);
      const e = msg.embeds[0];
      expect(str(e.title, 256) && str(e.description, 4096)).toBe(true);
      expect(e.title).toBe('chat.preset-discord');
      expect(e.url).toBe(`https://hookd.example.com/#/events/${id}`);
      expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
      expect(e.fields.length).toBeLessThanOrEqual(25);
      for (const f of e.fields) expect(str(f.name, 256) && str(f.value, 1024)).toBe(true);
      expect(e.fields.find((f: { name: string }) => f.name === 'Tenant').value).toBe('(no tenant)');
    });

    it('teams: a MessageCard (@type, @context, summary, sections, OpenUri action)', async () => {
      const r = await receiver();
      await endpoint({ url: r.url, eventTypes: ['chat.preset-teams'], transform: { preset: 'teams' } });
      const id = await publish('chat.preset-teams', event);
      const [req] = await r.waitFor(1);
      const card = JSON.parse(req!.body.toString('utf8'));
      expect(card['@type']).toBe('MessageCard');
      expect(card['@context']).toBe('http://schema.org/extensions');
      // A MessageCard needs summary or text.
      expect(str(card.summary, 256)).toBe(true);
      expect(card.title).toBe('chat.preset-teams');
      expect(card.sections[0].text).toContain('channel: web');
      expect(card.sections[0].facts).toEqual(expect.arrayContaining([{ name: 'Tenant', value: '(no tenant)' }, { name: 'Event', value: id }]));
      const action = card.potentialAction[0];
      expect(action['@type']).toBe('OpenUri');
      expect(action.targets).toEqual([{ os: 'default', uri: `https://hookd.example.com/#/events/${id}` }]);
    });
  });
});
