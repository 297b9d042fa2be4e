// The tls step against real servers with certificates generated here: valid, expired, not yet valid,
// for another host, self-signed, expired AND self-signed at once, an unknown CA, an old-TLS-only
// server, a silent listener, and https:// to a plain HTTP port.

import http from 'node:http';
import https from 'node:https';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/doctor/run-doctor.js';
import { listen, testPki, type TestPki } from './helpers/delivery-fixtures.js';
import { makeDeps, serveTcp, stepOf, type Closer } from './doctor-fixtures.js';

const closers: Closer[] = [];
let pki: TestPki;
const trusting = makeDeps({ connectTimeoutMs: 800 });
const DAY = 86_400_000;

beforeAll(async () => {
  pki = await testPki();
  trusting.extraCa = pki.caCert;
});
afterAll(async () => {
  await trusting.close();
  await Promise.all(closers.map((c) => c()));
});

async function httpsPort(options: https.ServerOptions): Promise<number> {
  const server = https.createServer(options, (req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  const { port, close } = await listen(server);
  closers.push(close);
  return port;
}

describe('tls step', () => {
  it('a valid certificate: pass with subject, issuer, SANs, validity, protocol and cipher; diagnosis ok', async () => {
    const port = await httpsPort(pki.server);
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook`, timeoutMs: 1500 });
    const tls = stepOf(report, 'tls');
    expect(tls.status).toBe('pass');
    expect(tls.detail).toMatchObject({
      protocol: 'TLSv1.3',
      servername: 'localhost',
      certificate: { subject: 'CN=localhost', issuer: 'CN=hookd test CA', trusted: true, selfSigned: false, subjectAltNames: expect.arrayContaining(['DNS:localhost']) },
      problems: [],
    });
    expect((tls.detail.cipher as { standardName: string }).standardName).toMatch(/^TLS_/);
    expect(stepOf(report, 'http').status).toBe('pass');
    expect(report).toMatchObject({ ok: true, diagnosis: { code: 'ok' } });
  });

  it('an IP-literal URL is checked against the IP SANs (no SNI sent)', async () => {
    const port = await httpsPort(pki.server);
    const report = await runDoctor(trusting, { url: `https://127.0.0.1:${port}/hook`, timeoutMs: 1500 });
    expect(stepOf(report, 'tls')).toMatchObject({ status: 'pass', detail: { servername: null } });
  });

  it('tls_cert_expired', async () => {
    const port = await httpsPort(pki.expired);
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    const tls = stepOf(report, 'tls');
    expect(tls).toMatchObject({ status: 'fail', code: 'tls_cert_expired' });
    expect(tls.detail.problems).toEqual([{ code: 'tls_cert_expired', message: expect.stringContaining('expired on') }]);
    expect(stepOf(report, 'http')).toMatchObject({ status: 'skip', detail: { dependsOn: 'tls' } });
    expect(report.diagnosis).toMatchObject({ code: 'tls_cert_expired', fix: expect.stringContaining('Renew') });
  });

  it('tls_cert_not_yet_valid', async () => {
    const port = await httpsPort(pki.notYetValid);
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    expect(stepOf(report, 'tls')).toMatchObject({ status: 'fail', code: 'tls_cert_not_yet_valid' });
    expect(report.diagnosis.code).toBe('tls_cert_not_yet_valid');
  });

  it('tls_hostname_mismatch: a certificate issued for another host', async () => {
    const port = await httpsPort(pki.otherHost);
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    const tls = stepOf(report, 'tls');
    expect(tls).toMatchObject({ status: 'fail', code: 'tls_hostname_mismatch' });
    expect(tls.message).toContain('does not cover localhost');
    expect(tls.message).toContain('other.example');
  });

  it('tls_cert_untrusted: self-signed', async () => {
    const port = await httpsPort(pki.selfSigned);
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    const tls = stepOf(report, 'tls');
    expect(tls).toMatchObject({ status: 'fail', code: 'tls_cert_untrusted', detail: { certificate: { selfSigned: true, trusted: false } } });
    expect(tls.message).toContain('self-signed');
  });

  it('tls_cert_untrusted: issued by a CA the client does not know', async () => {
    const untrusting = makeDeps({ connectTimeoutMs: 800 });
    try {
      const port = await httpsPort(pki.server);
      const report = await runDoctor(untrusting, { url: `https://localhost:${port}/hook` });
      const tls = stepOf(report, 'tls');
      expect(tls).toMatchObject({ status: 'fail', code: 'tls_cert_untrusted', detail: { certificate: { selfSigned: false } } });
      expect(tls.message).toContain('CN=hookd test CA');
    } finally {
      await untrusting.close();
    }
  });

  it('every problem at once: expired AND self-signed AND for another host', async () => {
    const now = Date.now();
    const pems = await generate([{ name: 'commonName', value: 'old.example' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 60 * DAY),
      notAfterDate: new Date(now - 2 * DAY),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'old.example' }] }],
    });
    const port = await httpsPort({ cert: pems.cert, key: pems.private });
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    const tls = stepOf(report, 'tls');
    expect(tls.code).toBe('tls_cert_expired');
    const codes = (tls.detail.problems as Array<{ code: string }>).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['tls_cert_expired', 'tls_cert_untrusted', 'tls_hostname_mismatch']));
    expect(tls.message).toContain('self-signed');
    // The fix covers every problem, not just the first.
    expect(report.diagnosis.fix).toContain('Renew');
    expect(report.diagnosis.fix).toContain('public CA');
    expect(report.diagnosis.fix).toContain('subject alternative names');
  });

  it('tls_handshake_failed: a server that only speaks TLS 1.0/1.1', async () => {
    const port = await httpsPort({ ...pki.server, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook` });
    const tls = stepOf(report, 'tls');
    expect(tls).toMatchObject({ status: 'fail', code: 'tls_handshake_failed' });
    expect(tls.message).toContain('PROTOCOL_VERSION');
    expect(report.diagnosis.fix).toContain('TLS 1.2 or 1.3');
  });

  it('tls_handshake_failed: https:// to a port that speaks plain HTTP', async () => {
    const { port, close } = await listen(http.createServer((_q, r) => r.end('ok')));
    closers.push(close);
    const report = await runDoctor(trusting, { url: `https://127.0.0.1:${port}/hook` });
    expect(stepOf(report, 'tls')).toMatchObject({ status: 'fail', code: 'tls_handshake_failed' });
    expect(stepOf(report, 'tls').message).toContain('plain HTTP');
  });

  it('mTLS: the endpoint client certificate is presented in the tls step and the HTTP probe', async () => {
    const port = await httpsPort({ ...pki.server, ca: pki.caCert, requestCert: true, rejectUnauthorized: true });
    const auth = { type: 'mtls' as const, cert: pki.client.cert, key: pki.client.key };
    const report = await runDoctor(trusting, { url: `https://localhost:${port}/hook`, auth, timeoutMs: 1500 });
    expect(report.checks.filter((c) => ['tls', 'http', 'auth'].includes(c.step)).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    // Without one, TLS 1.3 finishes the handshake and the alert arrives with the request: the http step
    // names it (the sender recovers the alert from the socket).
    const without = await runDoctor(trusting, { url: `https://localhost:${port}/hook`, timeoutMs: 1500 });
    expect(stepOf(without, 'tls').status).toBe('pass');
    expect(stepOf(without, 'http')).toMatchObject({ status: 'fail', code: 'tls_client_cert_rejected' });
    expect(without.diagnosis.code).toBe('tls_client_cert_rejected');
  });

  it('connect_timeout: the port accepts TCP but never answers the TLS handshake', async () => {
    const port = await serveTcp(() => {}, closers);
    const started = Date.now();
    const report = await runDoctor({ ...trusting, connectTimeoutMs: 300 }, { url: `https://127.0.0.1:${port}/hook`, timeoutMs: 1000 });
    expect(stepOf(report, 'tcp').status).toBe('pass');
    expect(stepOf(report, 'tls')).toMatchObject({ status: 'fail', code: 'connect_timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
