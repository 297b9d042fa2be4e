// Ingress rules (spec section 7, reliability 8.H): IP allowlist and trusted proxies, body cap while
// streaming, content types, JSON syntax with line/column, schemas with every error, deduplication
// under concurrency, routing to real loopback endpoints (raw bytes byte-for-byte), replay.

import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { createInboundHarness, createSource, logEntry, postIngress } from './inbound-helpers.js';

let h: Harness;
let receiver: Receiver;
beforeAll(async () => {
  h = await createInboundHarness();
  receiver = await startReceiver();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

function inject(harness: Harness, sourceId: string, body: string, headers: Record<string, string>, remoteAddress: string) {
  return harness.runtime.app.inject({ method: 'POST', url: `/in/${sourceId}`, payload: body, headers: { 'content-type': 'application/json', ...headers }, remoteAddress });
}

describe('IP allowlist', () => {
  it('allows listed addresses, refuses others before reading the body, and ignores X-Forwarded-For from an untrusted peer', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'ip.test', allowIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] });
    expect((await inject(h, source.id, '{}', {}, '10.1.2.3')).statusCode).toBe(202);
    expect((await inject(h, source.id, '{}', {}, '::ffff:10.1.2.3')).statusCode).toBe(202);
    expect((await inject(h, source.id, '{}', {}, '2001:db8::5')).statusCode).toBe(202);
    expect((await inject(h, source.id, '{}', {}, '192.0.2.7')).statusCode).toBe(202);
    const refused = await inject(h, source.id, '{"x":1}', {}, '192.0.2.8');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'ip_not_allowed' });
    const entry = await logEntry(h, source.id, { body: refused.json() });
    expect(entry).toMatchObject({ verdict: 'rejected', code: 'ip_not_allowed', remoteAddress: '192.0.2.8', body: null });
    expect(entry.reason).toContain('192.0.2.8');
    // A spoofed X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
    const spoofed = await inject(h, source.id, '{}', { 'x-forwarded-for': '10.1.2.3' }, '192.0.2.8');
    expect(spoofed.statusCode).toBe(403);
  });

  it('an allow-listed address still needs a valid signature', async () => {
    const source = await createSource(h, { verify: { scheme: 'github', secret: 'gh-secret' }, allowIps: ['10.0.0.0/8'] });
    const res = await inject(h, source.id, '{}', { 'x-hub-signature-256': 'sha256=00' }, '10.1.2.3');
    expect(res.statusCode).toBe(401);
  });

  it('honours X-Forwarded-For only from a trusted proxy, walking it from the right', async () => {
    const proxied = await createInboundHarness({ trustedProxies: ['127.0.0.1/32', '10.255.0.0/16'] });
    try {
      const source = await createSource(proxied, { verify: { scheme: 'none' }, eventType: 'ip.test', allowIps: ['198.51.100.0/24'] });
      expect((await inject(proxied, source.id, '{}', { 'x-forwarded-for': '198.51.100.9' }, '127.0.0.1')).statusCode).toBe(202);
      // Through two trusted hops: the first untrusted address from the right is the client.
      expect((await inject(proxied, source.id, '{}', { 'x-forwarded-for': '203.0.113.1, 198.51.100.9, 10.255.1.1' }, '127.0.0.1')).statusCode).toBe(202);
      // The client wrote the leftmost entry itself; the proxy appended the real address.
      const forged = await inject(proxied, source.id, '{}', { 'x-forwarded-for': '198.51.100.9, 203.0.113.1' }, '127.0.0.1');
      expect(forged.statusCode).toBe(403);
      expect((await logEntry(proxied, source.id, { body: forged.json() })).remoteAddress).toBe('203.0.113.1');
      expect((await inject(proxied, source.id, '{}', { 'x-forwarded-for': 'garbage' }, '127.0.0.1')).statusCode).toBe(403);
      expect((await inject(proxied, source.id, '{}', { 'x-forwarded-for': '127.1' }, '127.0.0.1')).statusCode).toBe(403);
      // An untrusted peer's header is ignored.
      expect((await inject(proxied, source.id, '{}', { 'x-forwarded-for': '198.51.100.9' }, '203.0.113.50')).statusCode).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});

/** Streams a chunked body (no Content-Length) until the server answers; resolves with the status and bytes sent. */
function streamUntilAnswered(url: string, chunkBytes: number, maxBytes: number): Promise<{ status: number; sent: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => undefined);
    });
    req.on('error', (err) => setTimeout(() => (answered ? undefined : reject(err)), 100));
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    const pump = (): void => {
      while (!answered && sent < maxBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.write('[');
    pump();
  });
}

describe('body cap', () => {
  it('413 as soon as a streamed (chunked) body crosses the cap, without reading the rest', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'big.body', maxBodyBytes: 64 * 1024 });
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.runtime.app.server.address() as AddressInfo;
    const result = await streamUntilAnswered(`http://127.0.0.1:${port}/in/${source.id}`, 16 * 1024, 512 * 1024 * 1024);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'payload_too_large' });
    // The client was still streaming when the answer came: far less than the 512 MiB it would send.
    expect(result.sent).toBeLessThan(64 * 1024 * 1024);
    const log = await h.request('GET', `/v1/sources/${source.id}/requests?verdict=rejected`);
    expect(log.body.data[0]).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(log.body.data[0].body.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('413 from Content-Length alone; exactly at the cap is accepted, one byte over is refused', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'big.body', maxBodyBytes: 1024 });
    const at = `"${'a'.repeat(1022)}"`;
    expect(Buffer.byteLength(at)).toBe(1024);
    expect((await postIngress(h, source.id, at)).status).toBe(202);
    const over = await postIngress(h, source.id, `"${'a'.repeat(1023)}"`);
    expect(over.status).toBe(413);
    expect(over.headers.connection).toBe('close');
    expect((await logEntry(h, source.id, over)).reason).toMatch(/1025 bytes.*1024/);
  });

  it('a source may take more than the global API limit', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'big.body', maxBodyBytes: 3 * 1024 * 1024 });
    const big = `"${'b'.repeat(2 * 1024 * 1024)}"`;
    expect((await postIngress(h, source.id, big)).status).toBe(202);
  });
});

describe('content types and JSON', () => {
  let sourceId: string;
  beforeAll(async () => {
    sourceId = (await createSource(h, { verify: { scheme: 'none' }, eventType: 'ct.test' })).id;
  });

  it('415 for non-JSON types, a missing type, other charsets and compressed bodies; all logged', async () => {
    const variants: Array<Record<string, string>> = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/xml' },
      { 'content-type': 'garbage' },
      { 'content-type': 'application/json; charset=iso-8859-1' },
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    ];
    for (const headers of variants) {
      const res = await postIngress(h, sourceId, '{"a":1}', headers);
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect((await logEntry(h, sourceId, res)).code).toBe('unsupported_media_type');
    }
    const missing = await h.request('POST', `/in/${sourceId}`, { key: null, rawBody: '{"a":1}' });
    expect(missing.status).toBe(415);
  });

  it('accepts application/json with charset and any +json type', async () => {
    expect((await postIngress(h, sourceId, '{"a":1}', { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(202);
    expect((await postIngress(h, sourceId, '{"a":1}', { 'content-type': 'application/cloudevents+json' })).status).toBe(202);
  });

  it('400 invalid_json with line and column, like the publish route', async () => {
    const text = '{\n  "a": 1,\n  "b": [1, 2,]\n}';
    const res = await postIngress(h, sourceId, text);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_json', line: 3, column: 14 });
    expect(res.body.detail).toMatch(/line 3, column 14/);
    const published = await h.request('POST', '/v1/events', { rawBody: `{"type":"x","data":${text}}`, headers: { 'content-type': 'application/json' } });
    expect(published.body.code).toBe('invalid_json');
    expect((await logEntry(h, sourceId, res)).reason).toBe(res.body.detail);
  });

  it('400 for an empty body, a BOM, invalid UTF-8 (with its position) and a too-deep document', async () => {
    expect((await postIngress(h, sourceId, '')).body).toMatchObject({ code: 'invalid_json', line: 1, column: 1 });
    expect((await postIngress(h, sourceId, '\uFEFF{"a":1}')).body).toMatchObject({ code: 'invalid_json', line: 1, column: 1 });
    const bad = Buffer.concat([Buffer.from('{"a":\n "x'), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await postIngress(h, sourceId, bad);
    expect(res.body).toMatchObject({ code: 'invalid_json', line: 2, column: 4 });
    expect(res.body.detail).toMatch(/UTF-8.*0xff/);
    expect((await postIngress(h, sourceId, `${'['.repeat(100_000)}${']'.repeat(100_000)}`)).body).toMatchObject({ code: 'invalid_json' });
  });

  it('GitHub form-encoded bodies: verified over the form bytes, routed by the JSON in `payload`', async () => {
    const { createHmac } = await import('node:crypto');
    const source = await createSource(h, { verify: { scheme: 'github', secret: 'form-secret' }, eventType: { header: 'x-github-event' } });
    const json = '{"action":"opened","number":7}';
    const form = `payload=${encodeURIComponent(json)}`;
    const signature = `sha256=${createHmac('sha256', 'form-secret').update(form).digest('hex')}`;
    const res = await postIngress(h, source.id, form, { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': signature, 'x-github-event': 'pull_request', 'x-github-delivery': 'd-form-1' });
    expect(res.status).toBe(202);
    const event = await h.request('GET', `/v1/events/${res.body.eventId}`);
    expect(event.body).toMatchObject({ type: 'pull_request', data: { action: 'opened', number: 7 } });
    const other = `name=x`;
    const otherSig = `sha256=${createHmac('sha256', 'form-secret').update(other).digest('hex')}`;
    expect((await postIngress(h, source.id, other, { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': otherSig, 'x-github-event': 'push' })).status).toBe(415);
  });
});

describe('event types and schemas', () => {
  it('422 with every schema error by path', async () => {
    await h.request('PUT', '/v1/event-types/chat.started', {
      body: { schema: { type: 'object', required: ['chatId', 'customer'], properties: { chatId: { type: 'string' }, channel: { enum: ['web', 'whatsapp'] }, customer: { type: 'object', required: ['id'] } } } },
    });
    const source = await createSource(h, { verify: { scheme: 'none' } });
    const res = await postIngress(h, source.id, '{"type":"chat.started","channel":"fax","customer":{}}');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('schema_mismatch');
    const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['/data/channel', '/data/chatId', '/data/customer/id']);
    const entry = await logEntry(h, source.id, res);
    expect(entry).toMatchObject({ verdict: 'rejected', code: 'schema_mismatch', status: 422 });
    expect(entry.reason).toContain('/data/chatId');
    expect((await postIngress(h, source.id, '{"type":"chat.started","chatId":"c1","customer":{"id":1}}')).status).toBe(202);
  });

  it('derives the type from a header, a fixed name or an escaped JSON pointer', async () => {
    const byHeader = await createSource(h, { verify: { scheme: 'none' }, eventType: { header: 'X-Event-Kind' } });
    expect((await postIngress(h, byHeader.id, '{}', { 'x-event-kind': 'call.ended' })).body.type).toBe('call.ended');
    const missing = await postIngress(h, byHeader.id, '{}');
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: '/headers/x-event-kind', message: expect.any(String) }]);
    expect((await postIngress(h, byHeader.id, '{}', { 'x-event-kind': 'bad type!' })).status).toBe(400);

    const byPointer = await createSource(h, { verify: { scheme: 'none' }, eventType: { pointer: '/meta/a~1b/0/k~0ind' } });
    expect((await postIngress(h, byPointer.id, '{"meta":{"a/b":[{"k~ind":"agent.assigned"}]}}')).body.type).toBe('agent.assigned');
    const noType = await postIngress(h, byPointer.id, '{"meta":{}}');
    expect(noType.status).toBe(422);
    expect(noType.body.errors[0].path).toBe('/meta/a~1b/0/k~0ind');
    // Prototype members are not properties of the body.
    const proto = await createSource(h, { verify: { scheme: 'none' }, eventType: { pointer: '/__proto__/type' } });
    expect((await postIngress(h, proto.id, '{}')).status).toBe(422);
    expect((await postIngress(h, proto.id, '{"__proto__":{"type":"own.proto"}}')).body.type).toBe('own.proto');
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it('duplicate keys route by the last one, as JSON.parse reads them', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' } });
    expect((await postIngress(h, source.id, '{"type":"first.one","type":"last.one"}')).body.type).toBe('last.one');
  });
});

describe('deduplication', () => {
  it('50 parallel copies of one delivery: one event, 49 acknowledged duplicates', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'dup.test' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => postIngress(h, source.id, '{"n":1}', { 'idempotency-key': 'delivery-42' })));
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    for (const a of answers) expect(a.body.eventId).toBe(accepted[0]!.body.eventId);
    const log = await h.request('GET', `/v1/sources/${source.id}/requests?verdict=accepted`);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0].dedupeKey).toBe('delivery-42');
    const dups = await h.request('GET', `/v1/sources/${source.id}/requests?verdict=duplicate&limit=250`);
    expect(dups.body.data).toHaveLength(49);
    // Each log entry records the answer its sender got, not the first copy's 202 "verified".
    for (const d of dups.body.data) {
      expect(d.status).toBe(200);
      expect(d.reason).toContain(`Duplicate of ${log.body.data[0].id}`);
    }
  });

  it('a rejected request does not claim its delivery id', async () => {
    const source = await createSource(h, { verify: { scheme: 'bearer', token: 'tok' }, eventType: 'dup.test' });
    expect((await postIngress(h, source.id, '{}', { 'idempotency-key': 'k1', authorization: 'Bearer nope' })).status).toBe(401);
    expect((await postIngress(h, source.id, '{}', { 'idempotency-key': 'k1', authorization: 'Bearer tok' })).status).toBe(202);
  });
});

describe('routing to endpoints', () => {
  it('an accepted request is delivered: envelope endpoints get the data text, raw endpoints the exact bytes', async () => {
    const envelope = await h.request('POST', '/v1/endpoints', { body: { url: `${receiver.url}?f=envelope`, eventTypes: ['route.test'], tenant: 'acme' } });
    const raw = await h.request('POST', '/v1/endpoints', { body: { url: `${receiver.url}?f=raw`, eventTypes: ['route.test'], tenant: 'acme', payloadFormat: 'raw' } });
    const otherTenant = await h.request('POST', '/v1/endpoints', { body: { url: `${receiver.url}?f=other`, eventTypes: ['route.test'], tenant: 'globex' } });
    expect([envelope.status, raw.status, otherTenant.status]).toEqual([201, 201, 201]);
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'route.test', tenant: 'acme' });
    // Numbers JS would round, odd whitespace, an escaped NUL: all must survive byte-for-byte.
    const body = Buffer.from('{ "big": 9007199254740993, "huge": 1e400, "neg0": -0,\n\t"nul": "\\u0000", "s": "ünï" }\n', 'utf8');
    const res = await postIngress(h, source.id, body);
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toBe(2);
    const got = await receiver.waitFor(2);
    const rawHit = got.find((r) => r.url.endsWith('f=raw'))!;
    const envHit = got.find((r) => r.url.endsWith('f=envelope'))!;
    expect(rawHit.body.equals(body)).toBe(true);
    expect(envHit.body.toString('utf8')).toContain(`"data":${body.toString('utf8')}}`);
    expect(envHit.headers['webhook-id']).toBe(res.body.eventId);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.some((r) => r.url.endsWith('f=other'))).toBe(false);
  });

  it('replay re-runs a logged request through routing as a new event with the same bytes', async () => {
    const before = receiver.requests.length;
    await h.request('POST', '/v1/endpoints', { body: { url: `${receiver.url}?f=replay`, eventTypes: ['replay.test'], payloadFormat: 'raw' } });
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'replay.test' });
    const body = '{"replay": 1, "x": 9007199254740993}';
    const first = await postIngress(h, source.id, body, { 'idempotency-key': 'r-1' });
    await eventually(async () => receiver.requests.length >= before + 1);
    const replay = await h.request('POST', `/v1/sources/${source.id}/requests/${first.body.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ replayOf: first.body.id, type: 'replay.test', deliveries: 1 });
    expect(replay.body.eventId).not.toBe(first.body.eventId);
    await eventually(async () => receiver.requests.length >= before + 2);
    const hits = receiver.requests.slice(before).filter((r) => r.url.endsWith('f=replay'));
    expect(hits).toHaveLength(2);
    for (const hit of hits) expect(hit.body.toString('utf8')).toBe(body);
    const logged = await h.request('GET', `/v1/sources/${source.id}/requests/${replay.body.id}`);
    expect(logged.body).toMatchObject({ verdict: 'accepted', eventId: replay.body.eventId, reason: expect.stringContaining(first.body.id) });

    const rejected = await postIngress(h, source.id, '{', {});
    expect((await h.request('POST', `/v1/sources/${source.id}/requests/${rejected.body.inboundRequestId}/replay`)).status).toBe(400);
    expect((await h.request('POST', `/v1/sources/${source.id}/requests/req_00000000000000000000000000000000/replay`)).status).toBe(404);
  });
});
