// The classifier fed with errors produced for real by undici, tls and fetch on loopback (Node 20.20.2,
// undici 7.30.2), plus a few Node-shaped errors that cannot be provoked here (DNS server failure,
// connect ETIMEDOUT from a dropping firewall).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyNetworkError, totalTimeoutError } from '../src/delivery/network-error.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import { closedPort, listen, testPki, type TestPki } from './helpers/delivery-fixtures.js';

let pki: TestPki;
const closers: (() => Promise<void>)[] = [];

async function serve(server: net.Server, host = '127.0.0.1'): Promise<number> {
  const { port, close } = await listen(server, host);
  closers.push(close);
  return port;
}

/** The error undici gives for one request (the test fails if the request succeeds). */
async function undiciError(
  url: string,
  connect: Agent.Options['connect'] = {},
  extra: Partial<Dispatcher.RequestOptions> & { maxResponseSize?: number } = {},
): Promise<unknown> {
  const { maxResponseSize, ...options } = extra;
  const agent = new Agent({ connect: { timeout: 1_000, ...connect }, ...(maxResponseSize ? { maxResponseSize } : {}) });
  try {
    const res = await agent.request({
      origin: new URL(url).origin,
      path: '/',
      method: 'POST',
      body: 'x',
      headersTimeout: 1_000,
      bodyTimeout: 1_000,
      ...options,
    });
    await res.body.text();
  } catch (err) {
    return err;
  } finally {
    await agent.destroy();
  }
  throw new Error(`expected ${url} to fail`);
}

/** The first error a raw TLS client socket emits. */
function tlsSocketError(options: tls.ConnectionOptions): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => socket.write('GET / HTTP/1.1\r\nhost: localhost\r\n\r\n'));
    socket.once('error', (err) => {
      socket.destroy();
      resolve(err);
    });
    socket.on('close', () => reject(new Error('closed without an error')));
  });
}

beforeAll(async () => {
  pki = await testPki();
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

const ok: http.RequestListener = (_req, res) => res.end('ok');
const httpsServer = (options: https.ServerOptions) => serve(https.createServer(options, ok));

// [title, produce the error, expected code, text the message must contain]
type Case = [string, () => Promise<unknown>, string, string];

const cases: Case[] = [
  ['ECONNREFUSED (closed port)', async () => undiciError(`http://127.0.0.1:${await closedPort()}/`), 'connection_refused', 'ECONNREFUSED 127.0.0.1'],
  [
    'AggregateError from happy eyeballs (two addresses, both refused)',
    async () =>
      undiciError(`http://two.test:${await closedPort()}/`, {
        lookup: (_h, _o, cb) =>
          cb(null, [
            { address: '::1', family: 6 },
            { address: '127.0.0.1', family: 4 },
          ]),
      }),
    'connection_refused',
    'ECONNREFUSED ::1',
  ],
  [
    'global fetch: TypeError("fetch failed") with the real error as cause',
    async () => fetch(`http://127.0.0.1:${await closedPort()}/`).then(() => null, (err: unknown) => err),
    'connection_refused',
    'ECONNREFUSED',
  ],
  [
    'ECONNRESET (peer reset after the request)',
    async () => undiciError(`http://127.0.0.1:${await serve(net.createServer((s) => s.once('data', () => s.resetAndDestroy())))}/`),
    'connection_reset',
    'read ECONNRESET',
  ],
  [
    'UND_ERR_SOCKET (peer closed without answering)',
    async () => undiciError(`http://127.0.0.1:${await serve(net.createServer((s) => s.once('data', () => s.end())))}/`),
    'connection_reset',
    'other side closed',
  ],
  [
    'ECONNRESET before the TLS handshake completed',
    async () =>
      tlsSocketError({ host: '127.0.0.1', port: await serve(net.createServer((s) => s.once('data', () => s.end()))) }),
    'connection_reset',
    'during the TLS handshake',
  ],
  [
    'UND_ERR_HEADERS_TIMEOUT',
    async () => undiciError(`http://127.0.0.1:${await serve(net.createServer(() => {}))}/`, {}, { headersTimeout: 100 }),
    'timeout',
    'UND_ERR_HEADERS_TIMEOUT',
  ],
  [
    'UND_ERR_BODY_TIMEOUT',
    async () =>
      undiciError(
        `http://127.0.0.1:${await serve(net.createServer((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\na'))))}/`,
        {},
        { bodyTimeout: 100 },
      ),
    'timeout',
    'UND_ERR_BODY_TIMEOUT',
  ],
  [
    'AbortSignal.timeout with fetch (DOMException TimeoutError)',
    async () =>
      fetch(`http://127.0.0.1:${await serve(net.createServer(() => {}))}/`, { signal: AbortSignal.timeout(100) }).then(
        () => null,
        (err: unknown) => err,
      ),
    'timeout',
    'TimeoutError',
  ],
  ['our total timeout', async () => totalTimeoutError(300), 'timeout', '300 ms'],
  [
    'UND_ERR_CONNECT_TIMEOUT (TCP accepted, TLS handshake never answered)',
    async () => undiciError(`https://127.0.0.1:${await serve(net.createServer(() => {}))}/`, { timeout: 200 }),
    'connect_timeout',
    'UND_ERR_CONNECT_TIMEOUT',
  ],
  [
    'UND_ERR_CONNECT_TIMEOUT (DNS lookup never answered)',
    async () => undiciError('http://hang.test/', { timeout: 200, lookup: () => {} }),
    'connect_timeout',
    'hang.test',
  ],
  ['ENOTFOUND (.invalid, real resolver)', async () => undiciError('http://hookd-test.invalid/'), 'dns_not_found', 'ENOTFOUND hookd-test.invalid'],
  [
    'ESSRFBLOCKED from the pinned lookup',
    async () =>
      undiciError(`http://localhost:${await closedPort()}/`, { lookup: createSsrfPolicy({ allowPrivate: [] }).pinnedLookup }),
    'blocked_address',
    'localhost resolves to a blocked address: 127.0.0.1 is loopback',
  ],
  [
    'CERT_HAS_EXPIRED',
    async () => undiciError(`https://localhost:${await httpsServer(pki.expired)}/`, { ca: pki.caCert }),
    'tls_cert_expired',
    'CERT_HAS_EXPIRED',
  ],
  [
    'CERT_NOT_YET_VALID',
    async () => undiciError(`https://localhost:${await httpsServer(pki.notYetValid)}/`, { ca: pki.caCert }),
    'tls_cert_not_yet_valid',
    'CERT_NOT_YET_VALID',
  ],
  [
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    async () => undiciError(`https://localhost:${await httpsServer(pki.selfSigned)}/`),
    'tls_cert_untrusted',
    'self-signed',
  ],
  [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE (unknown CA, chain not sent)',
    async () => undiciError(`https://localhost:${await httpsServer(pki.server)}/`),
    'tls_cert_untrusted',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  ],
  [
    'SELF_SIGNED_CERT_IN_CHAIN (server sends an untrusted root)',
    async () =>
      undiciError(`https://localhost:${await httpsServer({ key: pki.server.key, cert: `${pki.server.cert.trim()}\n${pki.caCert.trim()}\n` })}/`),
    'tls_cert_untrusted',
    'SELF_SIGNED_CERT_IN_CHAIN',
  ],
  [
    'ERR_TLS_CERT_ALTNAME_INVALID',
    async () => undiciError(`https://localhost:${await httpsServer(pki.otherHost)}/`, { ca: pki.caCert }),
    'tls_hostname_mismatch',
    "localhost. is not in the cert's altnames",
  ],
  [
    'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION (server TLS 1.2 only, client TLS 1.3 only)',
    async () =>
      undiciError(`https://localhost:${await httpsServer({ ...pki.server, maxVersion: 'TLSv1.2' })}/`, {
        ca: pki.caCert,
        minVersion: 'TLSv1.3',
      }),
    'tls_handshake_failed',
    'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  ],
  [
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE (no cipher in common)',
    async () =>
      undiciError(
        `https://localhost:${await httpsServer({ ...pki.server, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })}/`,
        { ca: pki.caCert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
      ),
    'tls_handshake_failed',
    'no protocol version or cipher in common',
  ],
  [
    'ERR_SSL_WRONG_VERSION_NUMBER (https:// to a plain HTTP port)',
    async () => undiciError(`https://localhost:${await serve(http.createServer(ok))}/`),
    'tls_handshake_failed',
    'is it plain HTTP',
  ],
  [
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED (mTLS server, no client certificate; raw TLS socket)',
    async () =>
      tlsSocketError({
        host: '127.0.0.1',
        servername: 'localhost',
        ca: pki.caCert,
        port: await httpsServer({ ...pki.server, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }),
      }),
    'tls_client_cert_rejected',
    'certificate required',
  ],
  [
    'UND_ERR_RES_EXCEEDED_MAX_SIZE',
    async () =>
      undiciError(
        `http://127.0.0.1:${await serve(http.createServer((_q, r) => r.end(Buffer.alloc(100_000))))}/`,
        {},
        { maxResponseSize: 1_000, method: 'GET', body: null },
      ),
    'response_too_large',
    'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  ],
  [
    'UND_ERR_HEADERS_OVERFLOW',
    async () =>
      undiciError(
        `http://127.0.0.1:${await serve(net.createServer((s) => s.once('data', () => s.end(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(100_000)}\r\n\r\n`))))}/`,
      ),
    'response_too_large',
    'headers exceeded',
  ],
  [
    'HTTPParserError (garbage instead of HTTP)',
    async () => undiciError(`http://127.0.0.1:${await serve(net.createServer((s) => s.once('data', () => s.end('GARBAGE\r\n\r\n'))))}/`),
    'network_error',
    'not valid HTTP/1.1',
  ],
];

const nodeShaped = (props: Record<string, unknown>, message = 'x'): Error => Object.assign(new Error(message), props);

const synthetic: [string, unknown, string][] = [
  ['EAI_AGAIN from getaddrinfo', nodeShaped({ code: 'EAI_AGAIN', syscall: 'getaddrinfo' }, 'getaddrinfo EAI_AGAIN x.test'), 'dns_failure'],
  ['ESERVFAIL from dns.resolve', nodeShaped({ code: 'ESERVFAIL', syscall: 'queryA' }, 'queryA ESERVFAIL x.test'), 'dns_failure'],
  ['ECONNREFUSED from dns.resolve is a DNS failure', nodeShaped({ code: 'ECONNREFUSED', syscall: 'queryA' }), 'dns_failure'],
  ['our DNS deadline', nodeShaped({ code: 'ETIMEOUT', syscall: 'getaddrinfo' }), 'dns_failure'],
  ['ENODATA (name without address records)', nodeShaped({ code: 'ENODATA', syscall: 'queryA' }), 'dns_not_found'],
  ['connect ETIMEDOUT (firewall dropping SYNs)', nodeShaped({ code: 'ETIMEDOUT', syscall: 'connect' }), 'connect_timeout'],
  ['read ETIMEDOUT', nodeShaped({ code: 'ETIMEDOUT', syscall: 'read' }), 'timeout'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', nodeShaped({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }), 'tls_cert_untrusted'],
  ['alert bad certificate', nodeShaped({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' }), 'tls_client_cert_rejected'],
  ['alert certificate unknown', nodeShaped({ code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN' }), 'tls_client_cert_rejected'],
  ['other ERR_SSL_ errors', nodeShaped({ code: 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' }), 'tls_handshake_failed'],
  ['EPIPE', nodeShaped({ code: 'EPIPE', syscall: 'write' }), 'connection_reset'],
  ['EHOSTUNREACH', nodeShaped({ code: 'EHOSTUNREACH', syscall: 'connect' }), 'network_error'],
  ['unknown error', new Error('something odd'), 'network_error'],
  ['a string', 'boom', 'network_error'],
  ['null', null, 'network_error'],
  ['cause several levels down', new Error('a', { cause: new Error('b', { cause: nodeShaped({ code: 'CERT_HAS_EXPIRED' }) }) }), 'tls_cert_expired'],
];

describe('classifyNetworkError with real errors', () => {
  it.each(cases)('%s', async (_title, produce, code, text) => {
    const err = await produce();
    const result = classifyNetworkError(err);
    expect(result.code).toBe(code);
    expect(result.message).toContain(text);
  });

  it('keeps OpenSSL messages readable (reason, not the hex prefix and source path)', async () => {
    const err = await undiciError(`https://localhost:${await serve(http.createServer(ok))}/`);
    const { message } = classifyNetworkError(err);
    expect(message).toContain('ERR_SSL_WRONG_VERSION_NUMBER: wrong version number');
    expect(message).not.toContain('deps/openssl');
  });
});

describe('classifyNetworkError with Node-shaped errors', () => {
  it.each(synthetic)('%s', (_title, err, code) => {
    expect(classifyNetworkError(err).code).toBe(code);
  });

  it('survives cause cycles', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyNetworkError(a)).toMatchObject({ code: 'network_error' });
  });
});

// A server that answers a bad client certificate with a TLS alert (OpenSSL's s_server does; Node's
// own server just closes the socket). Skipped when the openssl binary is missing.
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!hasOpenssl)('client certificate alerts from openssl s_server', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hookd-pki-'));
    writeFileSync(path.join(dir, 'cert.pem'), pki.server.cert);
    writeFileSync(path.join(dir, 'key.pem'), pki.server.key);
    writeFileSync(path.join(dir, 'ca.pem'), pki.caCert);
    port = await closedPort();
    server = spawn(
      'openssl',
      ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', 'cert.pem', '-key', 'key.pem', '-CAfile', 'ca.pem', '-Verify', '1', '-verify_return_error', '-www', '-quiet'],
      { cwd: dir, stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('openssl s_server did not start');
  });

  afterAll(() => {
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an untrusted client certificate: alert "unknown ca" -> tls_client_cert_rejected', async () => {
    const err = await tlsSocketError({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: pki.caCert,
      cert: pki.selfSigned.cert,
      key: pki.selfSigned.key,
    });
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    expect(classifyNetworkError(err)).toMatchObject({ code: 'tls_client_cert_rejected', message: expect.stringContaining('unknown ca') });
  });

  it('no client certificate: alert "certificate required" -> tls_client_cert_rejected', async () => {
    const err = await tlsSocketError({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caCert });
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(classifyNetworkError(err).code).toBe('tls_client_cert_rejected');
  });
});
