// Tracing with an in-memory exporter over a real runtime and real receivers: publish, attempt,
// inbound and database spans, the attempt span linked to the publish span through the trace context
// stored with the event; and the OTLP/HTTP exporter configured by OTEL_* against an in-process
// collector on loopback.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing, formatTraceparent, parseTraceparent, tracingRequested, type Tracing } from '../src/observability/tracing.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

describe('spans of a real publish, attempts and an ingress request', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let h: Harness;
  const receivers: Receiver[] = [];
  const endpoints = { ok: '', failing: '' };

  const spans = (name: string, filter: (s: ReadableSpan) => boolean = () => true): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name && filter(s));

  beforeAll(async () => {
    tracing = await createTracing({ env: {}, version: '0.0.0-test', exporter });
    h = await createHarness({}, { tracing });
    const ok = await startReceiver();
    const failing = await startReceiver((_req, res) => res.writeHead(500).end());
    receivers.push(ok, failing);
    for (const [name, r] of [['ok', ok], ['failing', failing]] as const) {
      const res = await h.request('POST', '/v1/endpoints', { body: { url: r.url, eventTypes: ['trace.me'], retrySchedule: [0] } });
      endpoints[name] = res.body.id;
    }
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
    await tracing.shutdown();
  });

  it('links each attempt span to the publish span whose traceparent is stored with the event', async () => {
    const res = await h.request('POST', '/v1/events', { body: { type: 'trace.me', data: { n: 1 }, tenant: null } });
    expect(res.status).toBe(202);
    const eventId: string = res.body.id;
    const attempts = await eventually(async () => {
      const found = spans('hookd.attempt', (s) => s.attributes['hookd.event.id'] === eventId);
      return found.length === 2 ? found : null;
    });

    const [publish] = spans('hookd.publish', (s) => s.attributes['hookd.event.id'] === eventId);
    expect(publish).toBeDefined();
    expect(publish!.attributes).toMatchObject({ 'hookd.event.type': 'trace.me', 'hookd.tenant': '', 'hookd.fanout.count': 2, 'hookd.publish.result': 'created' });
    const stored = await h.runtime.store.getEvent(eventId, undefined);
    expect(stored?.traceContext).toBe(formatTraceparent(publish!.spanContext()));

    for (const attempt of attempts) {
      // A new trace per attempt, linked (not parented) to the publish.
      expect(attempt.parentSpanContext).toBeUndefined();
      expect(attempt.spanContext().traceId).not.toBe(publish!.spanContext().traceId);
      expect(attempt.links).toHaveLength(1);
      expect(attempt.links[0]!.context.traceId).toBe(publish!.spanContext().traceId);
      expect(attempt.links[0]!.context.spanId).toBe(publish!.spanContext().spanId);
      expect(attempt.attributes['hookd.delivery.id']).toMatch(/^dlv_/);
      expect(attempt.attributes['hookd.attempt.id']).toMatch(/^att_/);
    }
    const ok = attempts.find((s) => s.attributes['hookd.endpoint.id'] === endpoints.ok)!;
    const failed = attempts.find((s) => s.attributes['hookd.endpoint.id'] === endpoints.failing)!;
    expect(ok.attributes).toMatchObject({ 'http.response.status_code': 200, 'hookd.attempt.code': 'ok', 'hookd.delivery.status': 'succeeded' });
    expect(ok.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(failed.attributes).toMatchObject({ 'http.response.status_code': 500, 'hookd.attempt.code': 'http_server_error', 'error.type': 'http_server_error', 'hookd.delivery.status': 'failed' });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);

    // Database work: the publish transaction links to the events it wrote; claims and result writes are spans.
    const dbPublish = spans('hookd.db.publish').find((s) => s.links.some((l) => l.context.spanId === publish!.spanContext().spanId));
    expect(dbPublish?.attributes['db.system.name']).toBe('sqlite');
    expect(spans('hookd.db.claim').length).toBeGreaterThan(0);
    await eventually(async () => spans('hookd.db.record_results').length > 0);
  });

  it('wraps an ingress request in hookd.inbound, parent of its event’s publish span', async () => {
    const source = await h.request('POST', '/v1/sources', { body: { name: 'crm', verify: { scheme: 'bearer', token: 'in-token-123' }, eventType: 'trace.in' } });
    expect(source.status, source.text).toBe(201);
    const res = await h.request('POST', `/in/${source.body.id}`, { key: null, rawBody: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer in-token-123' } });
    expect(res.status).toBe(202);
    const inbound = await eventually(async () => spans('hookd.inbound', (s) => s.attributes['hookd.source.id'] === source.body.id)[0]);
    expect(inbound.attributes['http.response.status_code']).toBe(202);
    const [publish] = spans('hookd.publish', (s) => s.attributes['hookd.event.id'] === res.body.eventId);
    expect(publish?.parentSpanContext?.spanId).toBe(inbound.spanContext().spanId);
    expect(publish?.attributes['hookd.source.id']).toBe(source.body.id);
    expect(spans('hookd.db.record_inbound').length).toBeGreaterThan(0);
  });
});

describe('configuration', () => {
  it('is off unless the standard variables ask for it', async () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    const off = await createTracing({ env: {}, version: '1' });
    expect(off.enabled).toBe(false);
  });

  it('round-trips W3C traceparent and refuses malformed or all-zero ids', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const sc = parseTraceparent(tp)!;
    expect(sc).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    expect(formatTraceparent(sc)).toBe(tp);
    expect(parseTraceparent(null)).toBeNull();
    expect(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeNull();
    expect(parseTraceparent('garbage')).toBeNull();
  });

  it('exports OTLP/HTTP to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT, with OTEL_SERVICE_NAME', async () => {
    const bodies: Array<{ path: string; body: string }> = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    // The exporter and the resource detector read process.env themselves (that is the contract of OTEL_*).
    const saved = { ...process.env };
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'hookd-under-test' });
    try {
      const tracing = await createTracing({ env: process.env, version: '9.9.9' });
      expect(tracing.enabled).toBe(true);
      const event = { id: 'evt_otlp', type: 'otlp.test', tenant: null, payload: '{}', rawBody: null, idempotencyKey: null, requestHash: null, sourceId: null, createdAt: Date.now(), deliveryIds: () => 'dlv_x' };
      tracing.startPublish(event);
      expect(parseTraceparent((event as { traceContext?: string }).traceContext)).not.toBeNull();
      tracing.endPublish(event, null);
      await tracing.shutdown();
      await eventually(async () => bodies.length > 0);
      expect(bodies[0]!.path).toBe('/v1/traces');
      expect(bodies[0]!.body).toContain('hookd.publish');
      expect(bodies[0]!.body).toContain('hookd-under-test');
      expect(bodies[0]!.body).toContain('evt_otlp');
    } finally {
      for (const key of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']) if (!(key in saved)) delete process.env[key];
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });
});
