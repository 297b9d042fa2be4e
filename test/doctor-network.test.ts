// The address, dns and tcp steps (and the network faults the http step sees) against real faults on
// loopback: an .invalid name, a closed port, a port whose SYNs are dropped, a peer that resets.

import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/doctor/run-doctor.js';
import { closedPort, dnsError, scriptedLookup } from './helpers/delivery-fixtures.js';
import { droppingPort, makeDeps, serveHttp, serveTcp, statuses, stepOf, type Closer } from './doctor-fixtures.js';

const closers: Closer[] = [];
const deps = makeDeps();
afterAll(async () => {
  await deps.close();
  await Promise.all(closers.map((c) => c()));
});

describe('address step', () => {
  it('invalid_url: an unsupported scheme, nothing probed', async () => {
    const report = await runDoctor(deps, { url: 'ftp://example.com/hook' });
    expect(stepOf(report, 'address')).toMatchObject({ status: 'fail', code: 'invalid_url' });
    expect(statuses(report)).toBe('event:skip address:fail dns:skip tcp:skip tls:skip http:skip auth:skip payload:skip latency:skip logs:skip');
    expect(report).toMatchObject({ ok: false, diagnosis: { code: 'invalid_url' } });
    expect(report.diagnosis.fix).toContain('Correct the endpoint URL');
  });

  it('invalid_url: not a URL at all', async () => {
    const report = await runDoctor(deps, { url: 'not a url' });
    expect(report.diagnosis.code).toBe('invalid_url');
  });

  it('blocked_address: loopback under the default policy is reported, not probed', async () => {
    const strict = makeDeps({}, { allowPrivate: [] });
    try {
      const receiver = await serveHttp((_q, r) => r.end('ok'), closers);
      const report = await runDoctor(strict, { url: receiver.url });
      expect(stepOf(report, 'address')).toMatchObject({ status: 'fail', code: 'blocked_address' });
      expect(stepOf(report, 'address').message).toContain('127.0.0.1 is loopback');
      expect(stepOf(report, 'tcp').status).toBe('skip');
      expect(receiver.requests).toHaveLength(0);
      expect(report.diagnosis.code).toBe('blocked_address');
      // A name resolving to loopback is refused just the same.
      const byName = await runDoctor(strict, { url: `http://localhost:${receiver.port}/hook` });
      expect(stepOf(byName, 'address')).toMatchObject({ status: 'fail', code: 'blocked_address' });
      expect(stepOf(byName, 'address').message).toContain('localhost resolves to a blocked address');
    } finally {
      await strict.close();
    }
  });

  it('requireHttps: an http:// target is invalid_url', async () => {
    const report = await runDoctor({ ...deps, requireHttps: true }, { url: 'http://127.0.0.1:1/hook' });
    expect(report.diagnosis.code).toBe('invalid_url');
  });
});

describe('dns step', () => {
  it('dns_not_found: a name under .invalid (real resolver)', async () => {
    const report = await runDoctor(deps, { url: 'https://hookd-doctor-test.invalid/hook' });
    expect(stepOf(report, 'address').status).toBe('pass');
    expect(stepOf(report, 'dns')).toMatchObject({ status: 'fail', code: 'dns_not_found' });
    expect(stepOf(report, 'dns').message).toContain('hookd-doctor-test.invalid');
    expect(stepOf(report, 'tcp')).toMatchObject({ status: 'skip', detail: { dependsOn: 'dns' } });
    expect(report.diagnosis.code).toBe('dns_not_found');
  });

  // A failing DNS server cannot be produced on loopback without root; the resolver is scripted here
  // with the exact error getaddrinfo gives (EAI_AGAIN), everything after it is real.
  it('dns_failure: the resolver fails (scripted EAI_AGAIN)', async () => {
    const flaky = makeDeps({}, { lookup: scriptedLookup(dnsError('EAI_AGAIN', 'flaky.test')) });
    try {
      const report = await runDoctor(flaky, { url: 'https://flaky.test/hook' });
      expect(stepOf(report, 'dns')).toMatchObject({ status: 'fail', code: 'dns_failure' });
      expect(report.diagnosis.code).toBe('dns_failure');
    } finally {
      await flaky.close();
    }
  });

  it('a name resolving to an allowed address passes with the addresses', async () => {
    const receiver = await serveHttp((_q, r) => r.end('ok'), closers);
    const report = await runDoctor(deps, { url: `http://localhost:${receiver.port}/hook`, timeoutMs: 2000 });
    expect(stepOf(report, 'dns').status).toBe('pass');
    expect(stepOf(report, 'dns').detail.addresses).toEqual(expect.arrayContaining(['127.0.0.1']));
    expect(stepOf(report, 'tcp').status).toBe('pass');
  });
});

describe('tcp step', () => {
  it('connection_refused: a closed port', async () => {
    const port = await closedPort();
    const report = await runDoctor(deps, { url: `https://127.0.0.1:${port}/hook` });
    expect(stepOf(report, 'tcp')).toMatchObject({ status: 'fail', code: 'connection_refused' });
    expect(stepOf(report, 'tcp').message).toContain('ECONNREFUSED');
    expect(statuses(report)).toContain('tcp:fail tls:skip http:skip auth:skip payload:skip latency:skip');
    expect(report.diagnosis).toMatchObject({ code: 'connection_refused', fix: expect.stringContaining('Start the receiving service') });
  });

  it('connect_timeout: SYNs dropped (full accept queue of a listener that never accepts)', async () => {
    const port = await droppingPort(closers);
    const started = Date.now();
    const report = await runDoctor({ ...deps, connectTimeoutMs: 400 }, { url: `http://127.0.0.1:${port}/hook`, timeoutMs: 1000 });
    expect(stepOf(report, 'tcp')).toMatchObject({ status: 'fail', code: 'connect_timeout' });
    expect(stepOf(report, 'tcp').message).toContain('ETIMEDOUT');
    expect(report.diagnosis.code).toBe('connect_timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('connection_reset: the peer accepts, then resets when the request arrives', async () => {
    const port = await serveTcp((s) => s.once('data', () => s.resetAndDestroy()), closers);
    const report = await runDoctor(deps, { url: `http://127.0.0.1:${port}/hook`, timeoutMs: 1000 });
    expect(stepOf(report, 'tcp').status).toBe('pass');
    expect(stepOf(report, 'tls')).toMatchObject({ status: 'warn', code: 'plain_http' });
    expect(stepOf(report, 'http')).toMatchObject({ status: 'fail', code: 'connection_reset' });
    expect(stepOf(report, 'auth').status).toBe('skip');
    expect(stepOf(report, 'latency').status).toBe('skip');
    expect(report.diagnosis.code).toBe('connection_reset');
  });
});

describe('plain_http', () => {
  it('is a warning: the diagnosis names it, but ok stays true', async () => {
    const receiver = await serveHttp((_q, r) => r.end('ok'), closers);
    const report = await runDoctor(deps, { url: receiver.url, timeoutMs: 1500 });
    expect(statuses(report)).toBe('event:skip address:pass dns:pass tcp:pass tls:warn http:pass auth:pass payload:skip latency:pass logs:skip');
    expect(report).toMatchObject({ ok: true, diagnosis: { code: 'plain_http' } });
    expect(report.diagnosis.fix).toContain('HTTPS');
  });
});
