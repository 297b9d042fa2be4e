// The peer: a typical Node webhook sender, built the way most teams build one. HTTP ingest
// (node:http) validates the JSON, looks up the subscribed endpoints and enqueues one BullMQ job per
// (event, endpoint) with addBulk; it answers 202 once Redis acknowledged the jobs (Redis runs with
// AOF, fsync every second: the same durability class as hookd's SQLite WAL with synchronous=NORMAL).
// A BullMQ worker in the same process signs each request (Standard Webhooks HMAC-SHA256) and POSTs
// it with undici; a non-2xx or network error throws, and BullMQ retries with exponential back-off.
// Endpoints live in memory (a real one would keep them in a database: that would only slow it).
//
// Started by the benchmark with the IPC channel: `node bench/peers/bullmq-sender.js <redisPort>
// [--no-worker]`; the `startWorker` command turns delivery on later (the backlog scenario).

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { serveRpc } from '../lib/procs.js';

const redisPort = Number(process.argv[2]);
const startWorker = !process.argv.includes('--no-worker');
const CONCURRENCY = Number(process.env.PEER_CONCURRENCY ?? 256);
const connection = { host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: null };
const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
  // A common production setting: keep a little history, not every job forever.
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 10_000 },
};

const queue = new Queue('webhooks', { connection });
const agent = new Agent({ connections: 32, keepAliveTimeout: 4000 });
/** @type {Array<{ id: string, url: string, eventTypes: string[] | null, key: Buffer }>} */
const endpoints = [];

function matching(type) {
  return endpoints.filter((e) => e.eventTypes === null || e.eventTypes.includes(type));
}

function jobsFor(event) {
  const id = `msg_${randomUUID()}`;
  const body = JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.data });
  return { id, jobs: matching(event.type).map((ep) => ({ name: 'deliver', data: { id, endpointId: ep.id, body }, opts: JOB_OPTIONS })) };
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 8 * 1024 * 1024) req.destroy(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  readJson(req)
    .then(async (body) => {
      if (req.url === '/endpoints') {
        const ep = { id: `ep_${endpoints.length}`, url: body.url, eventTypes: body.eventTypes ?? null, key: randomBytes(32) };
        endpoints.push(ep);
        return answer(res, 201, { id: ep.id });
      }
      if (req.url === '/events') {
        if (typeof body?.type !== 'string') return answer(res, 422, { error: 'type is required' });
        const { id, jobs } = jobsFor(body);
        await queue.addBulk(jobs);
        return answer(res, 202, { id, deliveries: jobs.length });
      }
      if (req.url === '/events/batch') {
        if (!Array.isArray(body?.events)) return answer(res, 422, { error: 'events is required' });
        const all = body.events.map(jobsFor);
        const jobs = all.flatMap((e) => e.jobs);
        await queue.addBulk(jobs);
        return answer(res, 202, { data: all.map((e) => ({ id: e.id })), deliveries: jobs.length });
      }
      return answer(res, 404, { error: 'not found' });
    })
    .catch((err) => answer(res, 500, { error: String(err) }));
});
server.keepAliveTimeout = 65_000;

async function deliver(job) {
  const ep = endpoints.find((e) => e.id === job.data.endpointId);
  if (!ep) throw new Error(`unknown endpoint ${job.data.endpointId}`);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', ep.key).update(`${job.data.id}.${timestamp}.${job.data.body}`).digest('base64');
  const res = await request(ep.url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', 'webhook-id': job.data.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` },
    body: job.data.body,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  await res.body.text();
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`HTTP ${res.statusCode}`);
}

let worker = null;
function runWorker() {
  if (worker) return;
  worker = new Worker('webhooks', deliver, { connection, concurrency: CONCURRENCY });
  worker.on('error', () => undefined);
}
if (startWorker) runWorker();

await new Promise((r) => server.listen(0, '127.0.0.1', r));
serveRpc(
  {
    startWorker() {
      runWorker();
      return {};
    },
  },
  { port: server.address().port },
);
