import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointAuth } from '../src/core/types.js';
import { createAuthProvider } from '../src/delivery/endpoint-auth.js';
import { createHttpSender } from '../src/delivery/http-sender.js';
import { redactHeaders, REDACTED } from '../src/delivery/redact.js';
import { AuthError, type Sender } from '../src/delivery/sender-types.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import { closedPort, listen } from './helpers/delivery-fixtures.js';

const SECRET = 's3cr3t-Client-Secret!';

interface TokenRequest {
  form: URLSearchParams;
  contentType: string | undefined;
}

/** A loopback OAuth2 token server whose answer each test scripts. */
async function tokenServer(answer: (n: number) => { status?: number; body: string; delayMs?: number }) {
  const requests: TokenRequest[] = [];
  const connections = { count: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ form: new URLSearchParams(Buffer.concat(chunks).toString()), contentType: req.headers['content-type'] });
      const { status = 200, body, delayMs = 0 } = answer(requests.length);
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
    });
  });
  server.on('connection', () => {
    connections.count += 1;
  });
  const { port, close } = await listen(server);
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}/oauth/token`, port, requests, connections };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

function setup(allowPrivate = ['127.0.0.1/32']) {
  const policy = createSsrfPolicy({ allowPrivate });
  const sender: Sender = createHttpSender({ policy });
  cleanups.push(() => sender.close());
  const clock = { now: 1_700_000_000_000 };
  const provider = createAuthProvider({ sender, policy, now: () => clock.now });
  return { provider, clock };
}

const oauth2 = (tokenUrl: string, extra: Partial<Extract<EndpointAuth, { type: 'oauth2' }>> = {}): EndpointAuth => ({
  type: 'oauth2',
  tokenUrl,
  clientId: 'hookd-client',
  clientSecret: SECRET,
  ...extra,
});

const tokenBody = (n: number, expiresIn: number | null = 3600) =>
  JSON.stringify({ access_token: `tok-${n}`, token_type: 'Bearer', ...(expiresIn === null ? {} : { expires_in: expiresIn }) });

async function authError(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    const authErr = err as AuthError;
    expect(authErr.code).toBe('auth_token_failed');
    expect(authErr.message).not.toContain(SECRET);
    return authErr;
  }
  throw new Error('expected an AuthError');
}

describe('static auth kinds', () => {
  const { provider } = setup();
  it.each<[EndpointAuth, Record<string, string>]>([
    [{ type: 'none' }, {}],
    [{ type: 'mtls', cert: 'PEM', key: 'PEM' }, {}],
    [{ type: 'basic', username: 'ann', password: 'pä:ss' }, { authorization: `Basic ${Buffer.from('ann:pä:ss').toString('base64')}` }],
    [{ type: 'bearer', token: 'abc.def' }, { authorization: 'Bearer abc.def' }],
    [{ type: 'header', name: 'X-Api-Key', value: 'k-123' }, { 'x-api-key': 'k-123' }],
  ])('%j', async (auth, headers) => {
    expect(await provider.headersFor('ep_1', auth)).toEqual(headers);
  });
});

describe('oauth2 client credentials', () => {
  it('posts the form, then serves the cached token to many calls', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n) }));
    const { provider } = setup();
    const auth = oauth2(server.url, { scope: 'webhooks:write', audience: 'https://crm.example.com' });
    for (let i = 0; i < 20; i++) expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-1' });
    expect(server.requests).toHaveLength(1);
    const [first] = server.requests;
    expect(first?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(first?.form ?? [])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'hookd-client',
      client_secret: SECRET,
      scope: 'webhooks:write',
      audience: 'https://crm.example.com',
    });
  });

  it('refetches after expiry minus the margin (30 s, or 10% of a short lifetime)', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n, n === 1 ? 3600 : 60) }));
    const { provider, clock } = setup();
    const auth = oauth2(server.url);
    const t0 = clock.now;
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-1' });
    clock.now = t0 + 3_569_000;
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-1' });
    clock.now = t0 + 3_571_000;
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-2' });
    // tok-2 lives 60 s: margin 6 s.
    const t1 = clock.now;
    clock.now = t1 + 53_000;
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-2' });
    clock.now = t1 + 55_000;
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-3' });
    expect(server.requests).toHaveLength(3);
  });

  it('caches a token without expires_in for 5 minutes', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n, null) }));
    const { provider, clock } = setup();
    const t0 = clock.now;
    await provider.headersFor('ep_1', oauth2(server.url));
    clock.now = t0 + 260_000;
    expect(await provider.headersFor('ep_1', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-1' });
    clock.now = t0 + 271_000;
    expect(await provider.headersFor('ep_1', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-2' });
  });

  it('forceRefresh refetches', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n) }));
    const { provider } = setup();
    const auth = oauth2(server.url);
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-1' });
    expect(await provider.headersFor('ep_1', auth, { forceRefresh: true })).toEqual({ authorization: 'Bearer tok-2' });
    expect(await provider.headersFor('ep_1', auth)).toEqual({ authorization: 'Bearer tok-2' });
    expect(server.requests).toHaveLength(2);
  });

  it('shares one fetch between concurrent calls (including forced refreshes)', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n), delayMs: 100 }));
    const { provider } = setup();
    const auth = oauth2(server.url);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => provider.headersFor('ep_1', auth, { forceRefresh: i % 3 === 0 })),
    );
    expect(new Set(results.map((h) => h.authorization))).toEqual(new Set(['Bearer tok-1']));
    expect(server.requests).toHaveLength(1);
  });

  it('keeps tokens per endpoint and per auth config; forget() drops them', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n) }));
    const { provider } = setup();
    expect(await provider.headersFor('ep_1', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-1' });
    expect(await provider.headersFor('ep_2', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-2' });
    expect(await provider.headersFor('ep_1', oauth2(server.url, { scope: 'other' }))).toEqual({ authorization: 'Bearer tok-3' });
    provider.forget('ep_2');
    expect(await provider.headersFor('ep_2', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-4' });
  });

  it('does not cache a token whose fetch was in flight when forget() was called', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n), delayMs: n === 1 ? 100 : 0 }));
    const { provider } = setup();
    const pending = provider.headersFor('ep_1', oauth2(server.url));
    provider.forget('ep_1');
    expect(await pending).toEqual({ authorization: 'Bearer tok-1' });
    expect(await provider.headersFor('ep_1', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-2' });
  });
});

describe('oauth2 failures: AuthError with a clear message, never the client secret', () => {
  it('token server 500 (quoting the body, secret masked even if echoed)', async () => {
    const server = await tokenServer(() => ({ status: 500, body: `{"error":"server_error","got":"${SECRET}"}` }));
    const err = await authError(setup().provider.headersFor('ep_1', oauth2(server.url)));
    expect(err.message).toContain(`the OAuth2 token URL ${server.url} answered 500`);
    expect(err.message).toContain('server_error');
    expect(err.message).toContain('[redacted]');
  });

  it('token server 401 invalid_client', async () => {
    const server = await tokenServer(() => ({ status: 401, body: '{"error":"invalid_client"}' }));
    const err = await authError(setup().provider.headersFor('ep_1', oauth2(server.url)));
    expect(err.message).toMatch(/answered 401: \{"error":"invalid_client"\}/);
  });

  it('invalid JSON', async () => {
    const server = await tokenServer(() => ({ body: '<html>login</html>' }));
    const err = await authError(setup().provider.headersFor('ep_1', oauth2(server.url)));
    expect(err.message).toContain('answered 200 with a body that is not JSON: <html>login</html>');
  });

  it('missing access_token', async () => {
    const server = await tokenServer(() => ({ body: '{"token_type":"Bearer","expires_in":3600}' }));
    const err = await authError(setup().provider.headersFor('ep_1', oauth2(server.url)));
    expect(err.message).toContain('without an access_token (fields: token_type, expires_in)');
  });

  it('does not cache failures: the next call tries again', async () => {
    const server = await tokenServer((n) => (n === 1 ? { status: 503, body: 'busy' } : { body: tokenBody(n) }));
    const { provider } = setup();
    await authError(provider.headersFor('ep_1', oauth2(server.url)));
    expect(await provider.headersFor('ep_1', oauth2(server.url))).toEqual({ authorization: 'Bearer tok-2' });
  });

  it('network failure (closed port)', async () => {
    const port = await closedPort();
    const err = await authError(setup().provider.headersFor('ep_1', oauth2(`http://127.0.0.1:${port}/token`)));
    expect(err.message).toContain('(connection_refused)');
  });

  it('a token URL on a blocked IP literal is refused without connecting', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n) }));
    const err = await authError(setup([]).provider.headersFor('ep_1', oauth2(server.url)));
    expect(err.message).toContain('127.0.0.1 is loopback (blocked by the SSRF policy');
    expect(server.connections.count).toBe(0);
  });

  it('a token URL whose name resolves to a blocked address is refused by the sender without connecting', async () => {
    const server = await tokenServer((n) => ({ body: tokenBody(n) }));
    const err = await authError(setup([]).provider.headersFor('ep_1', oauth2(`http://localhost:${server.port}/token`)));
    expect(err.message).toContain('(blocked_address)');
    expect(err.message).toContain('localhost resolves to a blocked address');
    expect(server.connections.count).toBe(0);
  });

  it('an unusable token URL', async () => {
    const { provider } = setup();
    expect((await authError(provider.headersFor('ep_1', oauth2('not a url')))).message).toContain('not a valid URL');
    expect((await authError(provider.headersFor('ep_1', oauth2('ftp://example.com/token')))).message).toContain('not ftp:');
  });
});

describe('redactHeaders', () => {
  it.each<[string, boolean]>([
    ['authorization', true],
    ['Authorization', true],
    ['proxy-authorization', true],
    ['cookie', true],
    ['set-cookie', true],
    ['x-api-key', true],
    ['api-key', true],
    ['X-Auth-Token', true],
    ['x-csrf-token', true],
    ['x-client-secret', true],
    ['x-password', true],
    ['x-session-id', true],
    ['x-amz-security-token', true],
    ['ocp-apim-subscription-key', true],
    ['webhook-signature', false], // an HMAC of this payload: reveals nothing, needed to debug mismatches
    ['webhook-id', false],
    ['webhook-timestamp', false],
    ['idempotency-key', false],
    ['content-type', false],
    ['user-agent', false],
    ['x-tenant', false],
  ])('%s redacted: %s', (name, redacted) => {
    expect(redactHeaders({ [name]: 'value' })).toEqual({ [name]: redacted ? REDACTED : 'value' });
  });

  it("redacts the header an endpoint's header auth uses, whatever its name", () => {
    const headers = { 'X-Tenant': 'acme-secret-value', 'content-type': 'application/json' };
    expect(redactHeaders(headers, ['x-tenant'])).toEqual({ 'X-Tenant': '[redacted]', 'content-type': 'application/json' });
    expect(headers['X-Tenant']).toBe('acme-secret-value'); // input untouched
  });
});
