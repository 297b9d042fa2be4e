// nodeHandler on a real node:http server on loopback, fed requests signed by `standardwebhooks`.

import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../src/signature/index.js';
import { createReceiver, nodeHandler, type HandlerOptions, type VerifiedWebhook } from '../src/receiver/index.js';
import { close, envelope, listen, post, signedHeaders } from './receiver-helpers.js';

const secret = generateSecret();
let server: Server | undefined;

afterEach(async () => {
  if (server) await close(server);
  server = undefined;
});

async function start(handler: (event: VerifiedWebhook) => unknown, options: HandlerOptions = {}): Promise<string> {
  const receiver = createReceiver({ secrets: secret });
  server = createServer(nodeHandler(receiver, handler, { onError: () => undefined, ...options }));
  return listen(server);
}

describe('nodeHandler', () => {
  it('valid -> 204 and the handler runs once; the same webhook-id again -> 200 without the handler', async () => {
    const handler = vi.fn();
    const url = await start(handler);
    const body = envelope('chat.started', { chatId: 'c_1' });
    const first = await post(url, body, signedHeaders(secret, 'evt_1', body));
    expect(first.status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(1);
    const event = handler.mock.calls[0]?.[0] as VerifiedWebhook;
    expect(event).toMatchObject({ id: 'evt_1', type: 'chat.started', data: { chatId: 'c_1' }, duplicate: false });
    expect(event.rawBody.toString()).toBe(body);

    // A redelivery is re-signed with a fresh timestamp but keeps the id.
    const again = await post(url, body, signedHeaders(secret, 'evt_1', body, new Date(Date.now() + 1000)));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ duplicate: true });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('bad signature, wrong secret, missing headers and stale timestamps -> 401 with a code', async () => {
    const handler = vi.fn();
    const url = await start(handler);
    const body = envelope('chat.started', {});
    const headers = signedHeaders(secret, 'evt_2', body);

    const tampered = await post(url, body.replace('{}', '{"x":1}'), headers);
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.body)).toMatchObject({ code: 'signature_invalid' });

    const wrongSecret = await post(url, body, signedHeaders(generateSecret(), 'evt_2', body));
    expect(wrongSecret.status).toBe(401);

    const missing = await post(url, body, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'signature_missing' });

    const stale = await post(url, body, signedHeaders(secret, 'evt_3', body, new Date(Date.now() - 10 * 60_000)));
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body)).toMatchObject({ code: 'timestamp_out_of_tolerance' });
    expect(handler).not.toHaveBeenCalled();

    // The forged attempts did not burn the id: the genuine delivery is still processed.
    expect((await post(url, body, headers)).status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('oversized body -> 413, with Content-Length and chunked', async () => {
    const handler = vi.fn();
    const url = await start(handler, { maxBodyBytes: 64 * 1024 });
    const big = envelope('chat.started', { blob: 'x'.repeat(200 * 1024) });
    const headers = signedHeaders(secret, 'evt_big', big);
    expect((await post(url, big, headers)).status).toBe(413);
    expect((await post(url, big, headers, { chunked: true })).status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });

  it('enforces the 1 MiB default cap', async () => {
    const url = await start(vi.fn());
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    expect((await post(url, big, signedHeaders(secret, 'evt_mib', big), { chunked: true })).status).toBe(413);
  });

  it('non-POST -> 405, compressed -> 415, signed but invalid JSON -> 400', async () => {
    const handler = vi.fn();
    const url = await start(handler);
    expect((await post(url, '', {}, { method: 'GET' })).status).toBe(405);
    const body = envelope('a', {});
    expect((await post(url, body, { ...signedHeaders(secret, 'evt_z', body), 'content-encoding': 'gzip' })).status).toBe(415);
    const notJson = '{"type": "a", data: }';
    const res = await post(url, notJson, signedHeaders(secret, 'evt_bad_json', notJson));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'invalid_json' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('a throwing handler -> 500, the process survives, and the retry is processed again', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const url = await start(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
      { onError: (error) => errors.push(error) },
    );
    const body = envelope('call.ended', { callId: 'k' });
    const first = await post(url, body, signedHeaders(secret, 'evt_retry', body));
    expect(first.status).toBe(500);
    expect(JSON.parse(first.body)).toMatchObject({ code: 'handler_failed' });
    expect(errors).toHaveLength(1);
    const retry = await post(url, body, signedHeaders(secret, 'evt_retry', body));
    expect(retry.status).toBe(204);
    expect(calls).toBe(2);
  });

  it("respond: 'before-handler' answers before the handler finishes and survives its rejection", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const errors: unknown[] = [];
    let finished = false;
    const url = await start(
      async () => {
        await gate;
        finished = true;
        throw new Error('after the answer');
      },
      { respond: 'before-handler', onError: (error) => errors.push(error) },
    );
    const body = envelope('chat.started', {});
    const res = await post(url, body, signedHeaders(secret, 'evt_fast', body));
    expect(res.status).toBe(204);
    expect(finished).toBe(false);
    release();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(finished).toBe(true);
  });
});
