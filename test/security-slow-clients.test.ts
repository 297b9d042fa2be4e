// Slow clients (slowloris): connections that drip header lines or body bytes are cut at the bounds of
// HOOKD_HEADERS_TIMEOUT_MS and HOOKD_REQUEST_TIMEOUT_MS, on the API and on the ingress, while other
// requests keep being served. Long-polls are not requests in progress: they outlive the bound.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await createHarness({ headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS });
  await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.runtime.app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await h.close();
});

interface Drip {
  socket: Socket;
  /** Resolves with ms from open to close, and what the server wrote. */
  closed: Promise<{ afterMs: number; answer: string }>;
  stop: () => void;
}

/** Opens a connection, writes `head`, then one of `drops` every `everyMs` until the server hangs up. */
function drip(head: string, drops: () => string, everyMs: number): Drip {
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  let answer = '';
  let sent = 0;
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (answer += c));
  socket.on('error', () => undefined);
  socket.write(head);
  // Bounded: at most 60 drops, far more than the bounds under test allow.
  const timer = setInterval(() => {
    if (socket.destroyed || ++sent > 60) return clearInterval(timer);
    socket.write(drops());
  }, everyMs);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => socket.on('close', () => {
    clearInterval(timer);
    resolve({ afterMs: Date.now() - opened, answer });
  }));
  return { socket, closed, stop: () => socket.destroy() };
}

describe('slow clients are cut at the configured bounds', () => {
  it('25 connections that drip one header line at a time are all closed within the header bound', async () => {
    let n = 0;
    const drips = Array.from({ length: 25 }, () => drip('GET /v1/endpoints HTTP/1.1\r\nHost: x\r\n', () => `X-Drip-${n++}: 1\r\n`, 200));
    try {
      // While they drip, the server still answers others at once.
      const started = Date.now();
      const health = await h.request('GET', '/healthz');
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      const results = await Promise.all(drips.map((d) => d.closed));
      for (const r of results) {
        // Bound plus one check interval, with slack for a loaded machine; Node's default was 60 s + 30 s.
        expect(r.afterMs).toBeLessThan(HEADERS_MS + 1000 + 2500);
      }
    } finally {
      for (const d of drips) d.stop();
    }
  });

  it('a body dripped byte by byte is cut at the request bound with 408', async () => {
    const d = drip('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nAuthorization: Bearer hk_test_admin_key_0123456789\r\n\r\n', () => ' ', 200);
    const r = await d.closed;
    expect(r.afterMs).toBeGreaterThan(REQUEST_MS - 200);
    expect(r.afterMs).toBeLessThan(REQUEST_MS + 1000 + 2500);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('the ingress has the same bounds', async () => {
    const d = drip('POST /in/src_00000000000000000000 HTTP/1.1\r\nHost: x\r\n', () => 'X-Slow: 1\r\n', 200);
    const r = await d.closed;
    expect(r.afterMs).toBeLessThan(HEADERS_MS + 1000 + 2500);
  });

  it('a long-poll that waits longer than the request bound is answered normally', async () => {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/events?wait=3`, { headers: { authorization: 'Bearer hk_test_admin_key_0123456789' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { done: boolean };
    expect(body.done).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(REQUEST_MS + 500);
  });
});

describe('the bounds are settings', () => {
  it('a header bound above the request bound is refused at start, naming both', async () => {
    const { loadConfig } = await import('../src/config/load-config.js');
    expect(() => loadConfig({ env: { HOOKD_HEADERS_TIMEOUT_MS: '20000', HOOKD_REQUEST_TIMEOUT_MS: '10000' } })).toThrow(/HOOKD_HEADERS_TIMEOUT_MS.*HOOKD_REQUEST_TIMEOUT_MS/);
  });

  it('a TLS certificate without its key is refused at start, naming both settings', async () => {
    const { loadConfig } = await import('../src/config/load-config.js');
    expect(() => loadConfig({ env: { HOOKD_TLS_CERT: '/tmp/cert.pem' } })).toThrow(/--tls-cert \(HOOKD_TLS_CERT\) is set but --tls-key \(HOOKD_TLS_KEY\) is not/);
    expect(() => loadConfig({ env: { HOOKD_TLS_KEY: '/tmp/key.pem' } })).toThrow(/--tls-key \(HOOKD_TLS_KEY\) is set but --tls-cert \(HOOKD_TLS_CERT\) is not/);
  });
});
