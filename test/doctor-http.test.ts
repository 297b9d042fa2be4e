// The http, auth and latency steps against real receivers on loopback answering every status of the
// spec table, checking credentials in different ways, answering slowly, or answering too much.

import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../src/core/types.js';
import { runDoctor } from '../src/doctor/run-doctor.js';
import { generateSecret, verifyStandardWebhook } from '../src/signature/index.js';
import { closedPort, listen, testPki } from './helpers/delivery-fixtures.js';
import { makeDeps, serveHttp, stepOf, type Closer } from './doctor-fixtures.js';

const closers: Closer[] = [];
const deps = makeDeps({ connectTimeoutMs: 500 });
let base = '';
let received: Awaited<ReturnType<typeof serveHttp>>['requests'] = [];

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
const send = (status: number, body = '', headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(status, headers);
  res.end(body);
};

const routes: Record<string, Route> = {
  '/ok': send(200, '{"ok":true}'),
  '/moved': send(301, '', { location: 'https://new.example/hooks' }),
  '/missing': send(404, 'Cannot POST /missing'),
  '/get-only': send(405, '', { allow: 'GET, HEAD' }),
  '/gone': send(410),
  '/busy': send(429, 'slow down', { 'retry-after': '30' }),
  '/picky': send(400, '{"error":"field customer.id is required"}'),
  '/broken': send(500, 'Internal Server Error'),
  // Bearer, RFC 6750 style: it tells missing from invalid.
  '/bearer': (req, res) => {
    const auth = req.headers.authorization;
    if (auth === 'Bearer right') return send(200, 'ok')(req, res);
    if (!auth) return send(401, '{"error":"missing token"}', { 'www-authenticate': 'Bearer realm="hooks"' })(req, res);
    return send(401, '{"error":"invalid token"}', { 'www-authenticate': 'Bearer realm="hooks", error="invalid_token"' })(req, res);
  },
  // Basic only.
  '/basic': (req, res) => {
    if (req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`) return send(200)(req, res);
    return send(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="hooks"' })(req, res);
  },
  // An API key in X-Api-Key; the same terse 401 whatever is wrong.
  '/apikey': (req, res) => (req.headers['x-api-key'] === 'k1' ? send(200)(req, res) : send(401, 'Unauthorized')(req, res)),
  // Valid token but no permission: 401 without a token, 403 with one.
  '/no-permission': (req, res) => (req.headers.authorization ? send(403, 'insufficient scope')(req, res) : send(401, 'no token')(req, res)),
  // An IP allowlist: 403 to everyone from here.
  '/ip-only': send(403, 'Forbidden'),
  '/slow': async (req, res) => {
    await delay(650);
    send(200, 'ok')(req, res);
  },
  '/too-slow': async (req, res) => {
    await delay(1600);
    if (!res.destroyed) send(200, 'ok')(req, res);
  },
  '/huge': send(200, 'x'.repeat(1024 * 1024)),
};

beforeAll(async () => {
  const receiver = await serveHttp((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? send(404);
    void Promise.resolve(route(req, res)).catch(() => res.destroy());
  }, closers);
  base = `http://127.0.0.1:${receiver.port}`;
  received = receiver.requests;
});
afterAll(async () => {
  await deps.close();
  await Promise.all(closers.map((c) => c()));
});

const diagnose = (path: string, extra: Parameters<typeof runDoctor>[1] extends infer T ? Partial<T> : never = {}) =>
  runDoctor(deps, { url: `${base}${path}`, timeoutMs: 1000, ...extra });

describe('http step: statuses go through the attempt classifier', () => {
  const cases: Array<[string, string, string]> = [
    ['/moved', 'http_redirect', 'redirecting to https://new.example/hooks'],
    ['/missing', 'http_not_found', '404'],
    ['/get-only', 'http_method_not_allowed', 'it allows GET, HEAD'],
    ['/gone', 'http_gone', '410 Gone'],
    ['/busy', 'http_rate_limited', 'wait 30 s'],
    ['/picky', 'http_client_error', 'field customer.id is required'],
    ['/broken', 'http_server_error', 'failed with 500'],
  ];
  it.each(cases)('%s -> %s', async (path, code, text) => {
    const report = await diagnose(path);
    const http = stepOf(report, 'http');
    expect(http).toMatchObject({ status: 'fail', code });
    expect(http.message).toContain(text);
    expect(stepOf(report, 'auth').status).toBe('skip');
    expect(stepOf(report, 'latency').status).toBe('skip');
    expect(report).toMatchObject({ ok: false, diagnosis: { code } });
  });

  it('a redirect names the final URL in the fix', async () => {
    const report = await diagnose('/moved');
    expect(report.diagnosis.fix).toContain('https://new.example/hooks');
  });

  it('the ping is a signed hookd.ping, verifiable with the endpoint secret', async () => {
    const secret = generateSecret();
    const endpoint: Endpoint = {
      id: 'ep_0190000000007000800000000000abcd',
      tenant: null,
      url: `${base}/ok`,
      description: null,
      eventTypes: null,
      auth: { type: 'none' },
      secrets: [{ secret, expiresAt: null }],
      headers: { 'x-custom': 'yes' },
      timeoutMs: 1000,
      rateLimitPerSecond: null,
      maxConcurrency: 1,
      retrySchedule: null,
      payloadFormat: 'envelope',
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: 0,
      updatedAt: 0,
    };
    const before = received.length;
    const report = await runDoctor(deps, { url: endpoint.url, endpoint });
    expect(stepOf(report, 'http').status).toBe('pass');
    const req = received[before]!;
    expect(req.headers['x-custom']).toBe('yes');
    const verdict = verifyStandardWebhook({ secrets: secret, headers: req.headers as Record<string, string>, body: req.body });
    expect(verdict.ok).toBe(true);
    expect(JSON.parse(req.body.toString())).toMatchObject({ type: 'hookd.ping', data: { endpointId: endpoint.id } });
  });
});

describe('auth step: missing versus wrong credentials', () => {
  it('correct credentials pass', async () => {
    const report = await diagnose('/bearer', { auth: { type: 'bearer', token: 'right' } });
    expect(stepOf(report, 'auth')).toMatchObject({ status: 'pass', code: 'ok' });
  });

  it('no credentials configured: http passes (the route exists), auth fails as missing', async () => {
    const report = await diagnose('/bearer');
    expect(stepOf(report, 'http')).toMatchObject({ status: 'pass' });
    const auth = stepOf(report, 'auth');
    expect(auth).toMatchObject({ status: 'fail', code: 'http_unauthorized', detail: { verdict: 'missing' } });
    expect(auth.message).toContain('Bearer realm="hooks"');
    expect(report.diagnosis).toMatchObject({ code: 'http_unauthorized', fix: expect.stringContaining("Set the endpoint's auth") });
  });

  it('a wrong token: the receiver answers differently with and without it -> wrong', async () => {
    const report = await diagnose('/bearer', { auth: { type: 'bearer', token: 'stale' } });
    const auth = stepOf(report, 'auth');
    expect(auth).toMatchObject({ status: 'fail', code: 'http_unauthorized', detail: { verdict: 'wrong' } });
    expect(auth.detail).toMatchObject({ withCredentials: { status: 401, body: '{"error":"invalid token"}' }, withoutCredentials: { status: 401, body: '{"error":"missing token"}' } });
    expect(report.diagnosis.fix).toContain('Correct the endpoint');
  });

  it('the wrong kind: the receiver asks for Basic, the endpoint sends a Bearer token', async () => {
    const report = await diagnose('/basic', { auth: { type: 'bearer', token: 'x' } });
    expect(stepOf(report, 'auth')).toMatchObject({ code: 'http_unauthorized', detail: { verdict: 'wrong_scheme' } });
    expect(stepOf(report, 'auth').message).toContain('asks for basic');
  });

  it('a receiver that does not tell: the same 401 with and without credentials', async () => {
    const report = await diagnose('/apikey', { auth: { type: 'header', name: 'X-Token', value: 'k1' } });
    const auth = stepOf(report, 'auth');
    expect(auth).toMatchObject({ code: 'http_unauthorized', detail: { verdict: 'indistinguishable' } });
    expect(auth.message).toContain('X-Token');
    // The key value never appears in the report.
    expect(JSON.stringify(report)).not.toContain('"k1"');
  });

  it('403 with credentials, 401 without: valid but not permitted', async () => {
    const report = await diagnose('/no-permission', { auth: { type: 'bearer', token: 't' } });
    expect(stepOf(report, 'auth')).toMatchObject({ status: 'fail', code: 'http_forbidden', detail: { verdict: 'not_permitted' } });
    expect(report.diagnosis.code).toBe('http_forbidden');
  });

  it('403 with and without credentials: an IP restriction', async () => {
    const report = await diagnose('/ip-only', { auth: { type: 'bearer', token: 't' } });
    expect(stepOf(report, 'auth')).toMatchObject({ code: 'http_forbidden', detail: { verdict: 'ip_restricted' } });
    expect(report.diagnosis.fix).toContain('allowlist');
  });

  it('auth_token_failed: the OAuth2 token server is down; the route is still probed without auth', async () => {
    const port = await closedPort();
    const report = await diagnose('/bearer', { auth: { type: 'oauth2', tokenUrl: `http://127.0.0.1:${port}/token`, clientId: 'c', clientSecret: 'shh' } });
    expect(stepOf(report, 'http')).toMatchObject({ status: 'pass', detail: { request: { sentCredentials: false } } });
    expect(stepOf(report, 'auth')).toMatchObject({ status: 'fail', code: 'auth_token_failed' });
    expect(JSON.stringify(report)).not.toContain('shh');
  });
});

describe('timing and size', () => {
  it('timeout: a receiver slower than the endpoint timeout', async () => {
    const started = Date.now();
    const report = await diagnose('/too-slow');
    expect(stepOf(report, 'http')).toMatchObject({ status: 'fail', code: 'timeout' });
    expect(stepOf(report, 'latency').status).toBe('skip');
    expect(report.diagnosis.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('slow_response: slower than half the timeout is a warning', async () => {
    const report = await diagnose('/slow');
    expect(stepOf(report, 'http').status).toBe('pass');
    expect(stepOf(report, 'latency')).toMatchObject({ status: 'warn', code: 'slow_response', detail: { timeoutMs: 1000, thresholdMs: 500 } });
    expect(report.ok).toBe(true);
  });

  it('slow_response is the diagnosis of an otherwise healthy HTTPS endpoint', async () => {
    const pki = await testPki();
    const server = https.createServer(pki.server, (req, res) => {
      req.resume();
      setTimeout(() => res.end('ok'), 650);
    });
    const { port, close } = await listen(server);
    closers.push(close);
    const report = await runDoctor({ ...deps, extraCa: pki.caCert }, { url: `https://localhost:${port}/hook`, timeoutMs: 1000 });
    expect(report).toMatchObject({ ok: true, diagnosis: { code: 'slow_response' } });
  });

  it('response_too_large: a 2xx with a 1 MiB body (warning: the delivery still counts)', async () => {
    const report = await diagnose('/huge');
    const http = stepOf(report, 'http');
    expect(http).toMatchObject({ status: 'warn', code: 'response_too_large', detail: { response: { status: 200, bodyTruncated: true } } });
    expect(http.message).toContain('16384 bytes');
  });
});
