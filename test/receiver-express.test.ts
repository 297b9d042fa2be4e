// expressHandler without Express: a node:http server plays the middleware chain. Express's req/res
// extend IncomingMessage/ServerResponse, and express.raw() leaves a Buffer in req.body.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../src/signature/index.js';
import { createReceiver, expressHandler, type ExpressLikeRequest, type VerifiedWebhook } from '../src/receiver/index.js';
import { close, envelope, listen, post, signedHeaders } from './receiver-helpers.js';

const secret = generateSecret();
let server: Server | undefined;

afterEach(async () => {
  if (server) await close(server);
  server = undefined;
});

type Middleware = (req: ExpressLikeRequest, res: ServerResponse, next: () => void) => void;

/** Like express.raw({ type: '*' }): buffer the body into req.body. */
const rawParser: Middleware = (req, _res, next) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    req.body = Buffer.concat(chunks);
    next();
  });
};

/** Like a global express.json(): consumes the stream and leaves a parsed object. */
const jsonParser: Middleware = (req, res, next) => {
  rawParser(req, res, () => {
    req.body = JSON.parse((req.body as Buffer).toString('utf8'));
    next();
  });
};

async function start(handler: (event: VerifiedWebhook) => unknown, middleware: Middleware | null, errors: unknown[] = []): Promise<string> {
  const endpoint = expressHandler(createReceiver({ secrets: secret }), handler, { maxBodyBytes: 16 * 1024, onError: (e) => errors.push(e) });
  server = createServer((req: IncomingMessage, res) => {
    const expressReq = req as ExpressLikeRequest;
    if (middleware === null) endpoint(expressReq, res);
    else middleware(expressReq, res, () => endpoint(expressReq, res));
  });
  return listen(server);
}

describe('expressHandler', () => {
  it('verifies a Buffer left by express.raw()', async () => {
    const handler = vi.fn();
    const url = await start(handler, rawParser);
    const body = envelope('chat.started', { a: 1 });
    expect((await post(url, body, signedHeaders(secret, 'evt_e1', body))).status).toBe(204);
    expect((await post(url, body, signedHeaders(secret, 'evt_e1', body))).status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
    const big = envelope('chat.started', { blob: 'x'.repeat(32 * 1024) });
    expect((await post(url, big, signedHeaders(secret, 'evt_e2', big))).status).toBe(413);
  });

  it('reads the stream itself when no body parser ran', async () => {
    const handler = vi.fn();
    const url = await start(handler, null);
    const body = envelope('chat.started', { a: 2 });
    expect((await post(url, body, signedHeaders(secret, 'evt_e3', body))).status).toBe(204);
    expect((await post(url, body, { ...signedHeaders(secret, 'evt_e4', body), 'webhook-signature': 'v1,AAAA' })).status).toBe(401);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('refuses to verify a body another parser already turned into an object (500, reported)', async () => {
    const handler = vi.fn();
    const errors: unknown[] = [];
    const url = await start(handler, jsonParser, errors);
    const body = envelope('chat.started', { a: 3 });
    const res = await post(url, body, signedHeaders(secret, 'evt_e5', body));
    expect(res.status).toBe(500);
    expect(handler).not.toHaveBeenCalled();
    expect(String(errors[0])).toMatch(/express\.raw/);
  });
});
