// fastifyPlugin on a real Fastify instance listening on loopback.

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../src/signature/index.js';
import { createReceiver, createMemoryDedupeStore, fastifyPlugin, type VerifiedWebhook } from '../src/receiver/index.js';
import { envelope, post, signedHeaders } from './receiver-helpers.js';

const secret = generateSecret();
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(handler: (event: VerifiedWebhook) => unknown): Promise<string> {
  app = Fastify();
  const receiver = createReceiver({ secrets: secret, dedupe: createMemoryDedupeStore() });
  await app.register(fastifyPlugin, { receiver, handler, prefix: '/webhooks', maxBodyBytes: 32 * 1024, onError: () => undefined });
  // A sibling route outside the plugin keeps Fastify's normal JSON parsing.
  app.post('/json', async (request) => ({ parsed: request.body }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return address;
}

describe('fastifyPlugin', () => {
  it('valid -> 204 and the handler runs once; duplicate -> 200 without the handler', async () => {
    const handler = vi.fn();
    const base = await start(handler);
    // Extra spaces: the parser must keep the exact bytes or the signature would break.
    const body = '{ "type": "agent.assigned",  "timestamp": "2026-05-20T15:30:00.000Z", "data": { "agent": "a_7" } }';
    const headers = signedHeaders(secret, 'evt_f1', body);
    expect((await post(`${base}/webhooks`, body, headers)).status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]?.[0]).toMatchObject({ id: 'evt_f1', type: 'agent.assigned', data: { agent: 'a_7' } });
    const again = await post(`${base}/webhooks`, body, headers);
    expect(again.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('bad signature -> 401, oversized -> 413', async () => {
    const handler = vi.fn();
    const base = await start(handler);
    const body = envelope('chat.started', {});
    const forged = { ...signedHeaders(secret, 'evt_f2', body), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` };
    const res = await post(`${base}/webhooks`, body, forged);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'signature_invalid' });

    const big = envelope('chat.started', { blob: 'x'.repeat(64 * 1024) });
    expect((await post(`${base}/webhooks`, big, signedHeaders(secret, 'evt_f3', big))).status).toBe(413);
    expect((await post(`${base}/webhooks`, big, signedHeaders(secret, 'evt_f3', big), { chunked: true })).status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });

  it('accepts any content type as raw bytes inside the plugin only', async () => {
    const handler = vi.fn();
    const base = await start(handler);
    const body = envelope('chat.started', { n: 1 });
    const headers = { ...signedHeaders(secret, 'evt_f4', body), 'content-type': 'text/plain' };
    expect((await post(`${base}/webhooks`, body, headers)).status).toBe(204);
    const { 'content-type': _omitted, ...withoutType } = signedHeaders(secret, 'evt_f5', body);
    expect((await post(`${base}/webhooks`, body, withoutType)).status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(2);
    const json = await post(`${base}/json`, '{"a":1}', { 'content-type': 'application/json' });
    expect(JSON.parse(json.body)).toEqual({ parsed: { a: 1 } });
  });
});
