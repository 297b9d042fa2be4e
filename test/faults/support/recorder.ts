// A loopback webhook receiver for the fault tests. It records every request by endpoint (the `e`
// query parameter of the URL) and `webhook-id`, with the exact body bytes, and tracks requests in
// flight: a second request for the same (endpoint, webhook-id) arriving while the first is still
// open means two live leases were sending the same delivery at once.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  endpoint: string;
  webhookId: string;
  body: Buffer;
  at: number;
}

/** What to answer: a status after a delay, or 'hold' to keep the request open until released. */
export type Answer = { status: number; delayMs?: number; headers?: Record<string, string> } | 'hold';

export interface Recorder {
  /** Endpoint URL for tag `tag` (recorded as the receipt's `endpoint`). */
  urlFor(tag: string): string;
  receipts: Receipt[];
  /** (endpoint, webhook-id) pairs seen while another request for the same pair was open. */
  overlaps: string[];
  /** Highest number of requests open at once (overall, or for one endpoint tag). */
  maxInFlight(endpoint?: string): number;
  inFlight(): number;
  answer(fn: (req: IncomingMessage, receipt: Receipt) => Answer): void;
  /** Answer every held request with `status`. Returns how many were released. */
  release(status: number): number;
  /** Distinct (endpoint, webhook-id) pairs received (a live set: do not modify). */
  distinct(): ReadonlySet<string>;
  /** How many of `expected` have not arrived yet. */
  missing(expected: Iterable<string>): number;
  close(): Promise<void>;
}

export const pairKey = (endpoint: string, webhookId: string): string => `${endpoint}|${webhookId}`;

export async function startRecorder(): Promise<Recorder> {
  const receipts: Receipt[] = [];
  const overlaps: string[] = [];
  const open = new Map<string, number>();
  const held: ServerResponse[] = [];
  const pairs = new Set<string>();
  let inflight = 0;
  let peak = 0;
  const perEndpoint = new Map<string, { now: number; peak: number }>();
  let decide: (req: IncomingMessage, receipt: Receipt) => Answer = () => ({ status: 200 });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const endpoint = new URL(req.url ?? '/', 'http://x').searchParams.get('e') ?? '';
      const webhookId = String(req.headers['webhook-id'] ?? '');
      const receipt: Receipt = { endpoint, webhookId, body: Buffer.concat(chunks), at: Date.now() };
      receipts.push(receipt);
      const key = pairKey(endpoint, webhookId);
      pairs.add(key);
      if ((open.get(key) ?? 0) > 0) overlaps.push(key);
      open.set(key, (open.get(key) ?? 0) + 1);
      inflight += 1;
      peak = Math.max(peak, inflight);
      const ep = perEndpoint.get(endpoint) ?? { now: 0, peak: 0 };
      ep.now += 1;
      ep.peak = Math.max(ep.peak, ep.now);
      perEndpoint.set(endpoint, ep);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        inflight -= 1;
        ep.now -= 1;
        open.set(key, (open.get(key) ?? 1) - 1);
      };
      // 'close' also fires when the sender dies (kill -9 resets its sockets).
      res.on('close', finish);
      const answer = decide(req, receipt);
      if (answer === 'hold') {
        held.push(res);
        return;
      }
      const send = (): void => {
        if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end('ok');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (tag) => `http://127.0.0.1:${port}/hook?e=${encodeURIComponent(tag)}`,
    receipts,
    overlaps,
    maxInFlight: (endpoint) => (endpoint === undefined ? peak : (perEndpoint.get(endpoint)?.peak ?? 0)),
    inFlight: () => inflight,
    answer(fn) {
      decide = fn;
    },
    release(status) {
      const all = held.splice(0);
      for (const res of all) if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end('released');
      return all.length;
    },
    distinct: () => pairs,
    missing(expected) {
      let n = 0;
      for (const key of expected) if (!pairs.has(key)) n += 1;
      return n;
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Group receipts by (endpoint, webhook-id) and check that every duplicate carries identical body
 * bytes. Returns the number of duplicate requests (receipts beyond the first per pair).
 */
export function checkDuplicates(receipts: Receipt[]): { duplicates: number; mismatched: string[] } {
  const first = new Map<string, Buffer>();
  const mismatched: string[] = [];
  let duplicates = 0;
  for (const r of receipts) {
    const key = pairKey(r.endpoint, r.webhookId);
    const seen = first.get(key);
    if (seen === undefined) first.set(key, r.body);
    else {
      duplicates += 1;
      if (!seen.equals(r.body)) mismatched.push(key);
    }
  }
  return { duplicates, mismatched };
}
