// The HTTP server of `hookd mock`: answers every request as the behaviour says (status, latency,
// failures, Retry-After, 410 after N), so retries, timeouts and auto-disable can be watched on
// purpose. The demo starts one in-process for its flaky endpoint. Bodies are drained, never kept.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decideAnswer, type MockBehaviour } from '../core/mock-behaviour.js';

export interface MockRequestLog {
  n: number;
  time: string;
  method: string;
  path: string;
  bytes: number;
  status: number;
  delayMs: number;
  failed: boolean;
}

export interface MockServer {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

const MAX_DRAIN = 16 * 1024 * 1024;

export async function startMockServer(
  behaviour: MockBehaviour,
  options: { host?: string; port?: number; onRequest?: (log: MockRequestLog) => void; random?: () => number } = {},
): Promise<MockServer> {
  let count = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const n = ++count;
    const answer = decideAnswer(behaviour, n, options.random);
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // A mock should not hold gigabytes: past the cap, stop reading and answer right away.
      if (bytes > MAX_DRAIN) req.destroy();
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (res.destroyed) return;
        const body = JSON.stringify({ mock: 'hookd', request: n, status: answer.status });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(body);
        options.onRequest?.({ n, time: new Date().toISOString(), method: req.method ?? '?', path: req.url ?? '/', bytes, status: answer.status, delayMs: answer.delayMs, failed: answer.failed });
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    requests: () => count,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
