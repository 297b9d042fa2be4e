// GET /metrics scraped over a real socket after real traffic: healthy, failing (retried, exhausted)
// and gone (410) endpoints, inbound requests accepted and rejected, a re-enabled endpoint. The test
// checks the values, not only the names, including the grouping of endpoints beyond the top N.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointLabels } from '../src/observability/endpoint-labels.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { parseExposition, sum, valueOf, type Sample } from './helpers/prometheus.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

const METRICS_TOKEN = 'scrape-token-7f3a9c';

async function endpoint(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/v1/endpoints', { body });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

async function publish(h: Harness, type: string): Promise<string> {
  const res = await h.request('POST', '/v1/events', { body: { type, data: { n: 1 } } });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

/** Operational events in the feed (what hookd_events_published_total{origin="system"} must count). */
async function operationalEvents(h: Harness): Promise<string[]> {
  const res = await h.request('GET', '/v1/events?limit=250');
  return (res.body.data as Array<{ type: string }>).map((e) => e.type).filter((t) => ['endpoint.disabled', 'endpoint.recovered', 'delivery.exhausted'].includes(t));
}

async function deliveryStatus(h: Harness, eventId: string): Promise<string | undefined> {
  const res = await h.request('GET', `/v1/events/${eventId}/deliveries`);
  return res.body.data[0]?.status;
}

describe('GET /metrics after real traffic', () => {
  let h: Harness;
  let base: string;
  const receivers: Receiver[] = [];
  const ids: Record<'ok' | 'failing' | 'gone', string> = { ok: '', failing: '', gone: '' };
  const events: Record<'failing' | 'gone', string> = { failing: '', gone: '' };

  const scrape = async (): Promise<Sample[]> => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  beforeAll(async () => {
    h = await createHarness({ env: { HOOKD_METRICS_TOKEN: METRICS_TOKEN, HOOKD_METRICS_TOP_ENDPOINTS: '2' } });
    base = await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const ok = await startReceiver();
    const failing = await startReceiver((_req, res) => res.writeHead(500).end('boom'));
    const gone = await startReceiver((_req, res) => res.writeHead(410).end());
    receivers.push(ok, failing, gone);
    ids.ok = await endpoint(h, { url: ok.url, eventTypes: ['m.ok'] });
    ids.failing = await endpoint(h, { url: failing.url, eventTypes: ['m.fail'], retrySchedule: [0, 1] });
    ids.gone = await endpoint(h, { url: gone.url, eventTypes: ['m.gone'] });

    // In this order, so that the two busiest endpoints are also the first two seen.
    const okEvents = [await publish(h, 'm.ok'), await publish(h, 'm.ok'), await publish(h, 'm.ok')];
    for (const e of okEvents) await eventually(async () => (await deliveryStatus(h, e)) === 'succeeded');
    events.failing = await publish(h, 'm.fail');
    await eventually(async () => (await deliveryStatus(h, events.failing)) === 'failed', 15_000);
    events.gone = await publish(h, 'm.gone');
    await eventually(async () => (await h.request('GET', `/v1/endpoints/${ids.gone}`)).body.enabled === false);

    // Inbound: one accepted, two rejected (bad token), one for a source that does not exist.
    const source = await h.request('POST', '/v1/sources', { body: { name: 'crm', verify: { scheme: 'bearer', token: 'in-token-123' }, eventType: 'm.inbound' } });
    expect(source.status, source.text).toBe(201);
    const post = (token: string, id: string = source.body.id) =>
      h.request('POST', `/in/${id}`, { key: null, rawBody: '{"a":1}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    expect((await post('in-token-123')).status).toBe(202);
    expect((await post('wrong')).status).toBe(401);
    expect((await post('wrong-again')).status).toBe(401);
    expect((await post('in-token-123', 'src_doesnotexist')).status).toBe(404);
  }, 40_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  it('requires the metrics token when one is configured (problem+json 401)', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${METRICS_TOKEN}` }];
    for (const headers of attempts) {
      const res = await fetch(`${base}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  it('counts events, attempts by outcome and code, completed deliveries, retries and disables', async () => {
    // endpoint.disabled is published just after the 410 result is recorded: wait for it.
    const operational = await eventually(async () => {
      const types = await operationalEvents(h);
      return types.includes('endpoint.disabled') ? types : null;
    });
    // The failing delivery's exhaustion, the 410'd delivery ending, and the endpoint's disabling.
    expect(operational).toContain('delivery.exhausted');
    const s = await scrape();
    // 3 ok + 1 failing + 1 gone through the API, 1 through the ingress.
    expect(valueOf(s, 'hookd_events_published_total', { origin: 'api' })).toBe(5);
    expect(valueOf(s, 'hookd_events_published_total', { origin: 'inbound' })).toBe(1);
    expect(valueOf(s, 'hookd_events_published_total', { origin: 'system' })).toBe(operational.length);
    expect(valueOf(s, 'hookd_deliveries_created_total')).toBe(5);

    expect(valueOf(s, 'hookd_attempts_total', { outcome: 'success', code: 'ok' })).toBe(3);
    expect(sum(s, 'hookd_attempts_total', { code: 'http_server_error' })).toBe(2);
    expect(valueOf(s, 'hookd_attempts_total', { outcome: 'disable_endpoint', code: 'http_gone' })).toBe(1);
    expect(sum(s, 'hookd_attempts_total')).toBe(6);

    const goneStatus = await deliveryStatus(h, events.gone);
    expect(valueOf(s, 'hookd_deliveries_completed_total', { status: 'succeeded' })).toBe(3);
    expect(valueOf(s, 'hookd_deliveries_completed_total', { status: 'failed' })).toBe(goneStatus === 'failed' ? 2 : 1);
    expect(valueOf(s, 'hookd_retries_scheduled_total')).toBe(1);
    expect(valueOf(s, 'hookd_endpoints_disabled_total', { reason: 'gone' })).toBe(1);
  });

  it('keeps per-endpoint series for the top N endpoints and groups the rest as "other"', async () => {
    const s = await scrape();
    expect(valueOf(s, 'hookd_attempt_duration_seconds_count', { endpoint: ids.ok })).toBe(3);
    expect(valueOf(s, 'hookd_attempt_duration_seconds_count', { endpoint: ids.failing })).toBe(2);
    expect(valueOf(s, 'hookd_attempt_duration_seconds_count', { endpoint: 'other' })).toBe(1);
    expect(s.some((x) => x.labels.endpoint === ids.gone)).toBe(false);
    expect(valueOf(s, 'hookd_attempt_duration_seconds_bucket', { endpoint: ids.ok, le: '+Inf' })).toBe(3);
    expect(valueOf(s, 'hookd_attempt_duration_seconds_sum', { endpoint: ids.ok })).toBeGreaterThan(0);
    expect(valueOf(s, 'hookd_endpoint_attempts_total', { endpoint: ids.ok, result: 'success' })).toBe(3);
    expect(valueOf(s, 'hookd_endpoint_attempts_total', { endpoint: ids.failing, result: 'failure' })).toBe(2);
    expect(valueOf(s, 'hookd_endpoint_attempts_total', { endpoint: 'other', result: 'failure' })).toBe(1);
  });

  it('counts inbound requests by verdict and reason', async () => {
    const s = await scrape();
    expect(valueOf(s, 'hookd_inbound_requests_total', { verdict: 'accepted', code: 'none' })).toBe(1);
    expect(sum(s, 'hookd_inbound_requests_total', { verdict: 'rejected', code: 'not_found' })).toBe(1);
    const rejectedByAuth = s.filter((x) => x.name === 'hookd_inbound_requests_total' && x.labels.verdict === 'rejected' && x.labels.code !== 'not_found');
    expect(rejectedByAuth).toHaveLength(1);
    expect(rejectedByAuth[0]!.value).toBe(2);
  });

  it('reports queue, dispatcher, database timings and process metrics', async () => {
    const s = await scrape();
    expect(valueOf(s, 'hookd_queue_deliveries', { state: 'pending' })).toBe(0);
    expect(valueOf(s, 'hookd_queue_deliveries', { state: 'due' })).toBe(0);
    expect(valueOf(s, 'hookd_queue_oldest_due_age_seconds')).toBe(0);
    expect(valueOf(s, 'hookd_dispatcher_in_flight')).toBe(0);
    expect(valueOf(s, 'hookd_dispatcher_last_loop_age_seconds')).toBeLessThan(5);
    // Five API publishes (grouped per tick, so at least one transaction), every claim timed.
    expect(sum(s, 'hookd_db_operation_duration_seconds_count', { operation: 'publish', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sum(s, 'hookd_db_operation_duration_seconds_count', { operation: 'record_results', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sum(s, 'hookd_db_operation_duration_seconds_count', { operation: 'record_inbound', result: 'ok' })).toBe(3);
    const claims = valueOf(s, 'hookd_claim_batch_size_count')!;
    expect(claims).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'hookd_db_operation_duration_seconds_count', { operation: 'claim', result: 'ok' })).toBe(claims);
    // Claims returned every attempt's delivery (6 attempts) and nothing else.
    expect(valueOf(s, 'hookd_claim_batch_size_sum')).toBe(6);
    expect(valueOf(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(s.some((x) => x.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(s.find((x) => x.name === 'hookd_info')?.labels.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('counts a recovery when a disabled endpoint is enabled again (and not for an already enabled one)', async () => {
    expect((await h.request('PATCH', `/v1/endpoints/${ids.gone}`, { body: { enabled: true } })).status).toBe(200);
    expect((await h.request('PATCH', `/v1/endpoints/${ids.ok}`, { body: { enabled: true } })).status).toBe(200);
    const s = await scrape();
    expect(valueOf(s, 'hookd_endpoints_recovered_total')).toBe(1);
    const operational = await operationalEvents(h);
    expect(operational.filter((t) => t === 'endpoint.recovered')).toHaveLength(1);
    expect(valueOf(s, 'hookd_events_published_total', { origin: 'system' })).toBe(operational.length);
  });
});

describe('queue depth gauges', () => {
  let h: Harness;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // An API-only process: nothing delivers, so what is published stays queued.
    h = await createHarness({ env: { HOOKD_ROLE: 'api', HOOKD_METRICS_TOP_ENDPOINTS: '1' } });
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h.close();
  });

  it('shows pending and due deliveries overall and per endpoint, the rest as "other", and the oldest age', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const busy = await endpoint(h, { url: r.url, eventTypes: ['q.busy'] });
    const quiet = await endpoint(h, { url: r.url, eventTypes: ['q.quiet'] });
    for (let i = 0; i < 3; i++) await publish(h, 'q.busy');
    await publish(h, 'q.quiet');
    await new Promise((resolve) => setTimeout(resolve, 30));

    const res = await h.request('GET', '/metrics', { key: null });
    expect(res.status).toBe(200);
    const s = parseExposition(res.text);
    expect(valueOf(s, 'hookd_queue_deliveries', { state: 'pending' })).toBe(4);
    expect(valueOf(s, 'hookd_queue_deliveries', { state: 'due' })).toBe(4);
    expect(valueOf(s, 'hookd_queue_oldest_due_age_seconds')).toBeGreaterThan(0.02);
    expect(valueOf(s, 'hookd_queue_oldest_due_age_seconds')).toBeLessThan(30);
    expect(valueOf(s, 'hookd_endpoint_queue_deliveries', { endpoint: busy, state: 'due' })).toBe(3);
    expect(valueOf(s, 'hookd_endpoint_queue_deliveries', { endpoint: 'other', state: 'due' })).toBe(1);
    expect(s.some((x) => x.labels.endpoint === quiet)).toBe(false);
    expect(valueOf(s, 'hookd_endpoint_queue_oldest_due_age_seconds', { endpoint: busy })).toBeGreaterThan(0.02);
    // No dispatcher in this process: no dispatcher gauges.
    expect(s.some((x) => x.name === 'hookd_dispatcher_in_flight')).toBe(false);
  });
});

describe('endpoint label ranking', () => {
  it('admits the first N, then re-ranks by attempt count at most once per interval; ties keep the incumbent', () => {
    const labels = createEndpointLabels({ topN: 2, rerankIntervalMs: 1000 });
    expect(labels.observe('ep_a')).toBe('ep_a');
    expect(labels.observe('ep_b')).toBe('ep_b');
    expect(labels.observe('ep_c')).toBe('other');
    expect(labels.rerank(0)).toEqual([]);
    for (let i = 0; i < 5; i++) labels.observe('ep_c');
    labels.observe('ep_a');
    // Not yet due: nothing changes.
    expect(labels.rerank(500)).toEqual([]);
    expect(labels.labelOf('ep_c')).toBe('other');
    // c (6) and a (2) beat b (1): b loses its series.
    expect(labels.rerank(1000)).toEqual(['ep_b']);
    expect(labels.observe('ep_c')).toBe('ep_c');
    expect(labels.observe('ep_b')).toBe('other');
    // b catches up with a (2 each): a tie keeps a.
    expect(labels.rerank(2000)).toEqual([]);
    expect(labels.labelOf('ep_a')).toBe('ep_a');
  });

  it('with N = 0 groups everything', () => {
    const labels = createEndpointLabels({ topN: 0, rerankIntervalMs: 0 });
    expect(labels.observe('ep_a')).toBe('other');
    labels.rerank(1);
    expect(labels.labelOf('ep_a')).toBe('other');
  });
});
