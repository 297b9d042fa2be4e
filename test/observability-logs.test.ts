// Logs as an operator's pipeline sees them: hookd's own logger writing JSON lines into a stream, a
// real runtime delivering to failing receivers with every kind of credential. One JSON line per
// attempt at debug and per failed attempt at info, with ids (and the trace id when tracing is on);
// no credential, signing secret or admin key anywhere in the output.

import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing, type Tracing } from '../src/observability/tracing.js';
import { createLogger, REDACTED } from '../src/runtime/logger.js';
import { ADMIN_KEY, createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

const BEARER = 'bearer-SECRET-tok-1';
const PASSWORD = 'basic-SECRET-pw-2';
const HEADER_VALUE = 'hdr-SECRET-val-3';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const SECRETS = [BEARER, PASSWORD, HEADER_VALUE, SIGNING_SECRET, SIGNING_SECRET.slice('whsec_'.length), ADMIN_KEY, Buffer.from(`ops:${PASSWORD}`).toString('base64')];

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

describe('structured logs', () => {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = (): Line[] =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  let h: Harness;
  let tracing: Tracing;
  const receivers: Receiver[] = [];
  const endpointIds: string[] = [];
  let eventId = '';

  beforeAll(async () => {
    tracing = await createTracing({ env: {}, version: 'test', exporter: new InMemorySpanExporter() });
    h = await createHarness({}, { logger: createLogger('debug', { destination: sink }), tracing });
    const auths = [
      { type: 'bearer', token: BEARER },
      { type: 'basic', username: 'ops', password: PASSWORD },
      { type: 'header', name: 'x-api-key', value: HEADER_VALUE },
    ];
    for (const auth of auths) {
      const r = await startReceiver((_req, res) => res.writeHead(503).end('down'));
      receivers.push(r);
      const res = await h.request('POST', '/v1/endpoints', { body: { url: r.url, eventTypes: ['log.me'], auth, secret: SIGNING_SECRET, retrySchedule: [0] } });
      expect(res.status, res.text).toBe(201);
      endpointIds.push(res.body.id);
    }
    const published = await h.request('POST', '/v1/events', { body: { type: 'log.me', data: { n: 1 } }, headers: { 'x-request-id': 'req-logs-1' } });
    expect(published.status).toBe(202);
    eventId = published.body.id;
    await eventually(async () => lines().filter((l) => l.msg === 'attempt failed').length >= 3);
    // The credentials also travel through the API: reading the endpoints back must not log them.
    for (const id of endpointIds) await h.request('GET', `/v1/endpoints/${id}`);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
    await tracing.shutdown();
  });

  it('writes one info line per failed attempt with its ids, code, status and trace id', () => {
    const failed = lines().filter((l) => l.msg === 'attempt failed');
    expect(failed).toHaveLength(3);
    for (const line of failed) {
      expect(line.level).toBe(30);
      expect(line).toMatchObject({ service: 'hookd', component: 'dispatcher', eventId, code: 'http_server_error', status: 503 });
      expect(line.deliveryId).toMatch(/^dlv_/);
      expect(line.attemptId).toMatch(/^att_/);
      expect(endpointIds).toContain(line.endpointId);
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(failed.map((l) => l.endpointId)).size).toBe(3);
  });

  it('writes one debug line per attempt, and one per request carrying the request id', () => {
    const attempts = lines().filter((l) => l.msg === 'attempt');
    expect(attempts).toHaveLength(3);
    expect(attempts.every((l) => l.level === 20 && typeof l.deliveryId === 'string' && typeof l.ms === 'number')).toBe(true);
    const request = lines().find((l) => l.msg === 'request' && l.requestId === 'req-logs-1');
    expect(request).toMatchObject({ level: 20, method: 'POST', url: '/v1/events', status: 202 });
  });

  it('never writes a credential, signing secret or the admin key', () => {
    // The safety net too: shapes that carry credentials, logged directly through the runtime's logger.
    const logger = createLogger('info', { destination: sink });
    logger.info({ endpoint: { auth: { type: 'basic', username: 'ops', password: PASSWORD } } }, 'shape 1');
    logger.info({ auth: { type: 'bearer', token: BEARER }, secret: SIGNING_SECRET }, 'shape 2');
    logger.info({ req: { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-api-key': HEADER_VALUE } } }, 'shape 3');
    logger.info({ headers: { authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` }, endpoint: { secrets: [SIGNING_SECRET] } }, 'shape 4');
    logger.info({ config: { adminKey: ADMIN_KEY, metricsToken: BEARER, port: 8080 } }, 'shape 5');
    const output = chunks.join('');
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    const shapes = lines().filter((l) => String(l.msg).startsWith('shape '));
    expect(shapes).toHaveLength(5);
    expect(JSON.stringify(shapes)).toContain(REDACTED);
    // Redaction keeps what is useful.
    expect(shapes[0]).toMatchObject({ endpoint: { auth: { type: 'basic', username: 'ops', password: REDACTED } } });
    expect(shapes[4]).toMatchObject({ config: { port: 8080, adminKey: REDACTED } });
  });
});
