// The steps that read the store (event, payload, logs), through a full runtime: real events published,
// real deliveries made by the dispatcher to loopback receivers, then the endpoint diagnosed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check, DoctorReport, DoctorStep } from '../src/doctor/report.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually } from './helpers/receiver.js';
import { serveHttp, type Closer } from './doctor-fixtures.js';

const closers: Closer[] = [];
let h: Harness;
let okUrl = '';

beforeAll(async () => {
  h = await createHarness({});
  okUrl = (await serveHttp((_q, r) => r.end('ok'), closers)).url;
});
afterAll(async () => {
  await h.close();
  await Promise.all(closers.map((c) => c()));
});

async function endpoint(body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/v1/endpoints', { body: { timeoutMs: 1500, ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function publish(type: string, data: unknown, tenant?: string): Promise<string> {
  const res = await h.request('POST', '/v1/events', { body: { type, data, ...(tenant ? { tenant } : {}) } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

async function diagnose(id: string): Promise<DoctorReport> {
  const res = await h.request('POST', `/v1/endpoints/${id}/diagnose`);
  expect(res.status).toBe(200);
  return res.body as DoctorReport;
}

const step = (report: DoctorReport, name: DoctorStep): Check => report.checks.find((c) => c.step === name)!;

async function attemptsOf(id: string, n: number): Promise<void> {
  await eventually(async () => (await h.runtime.store.listRecentAttempts(id, 100)).length >= n, 10_000);
}

describe('event step', () => {
  it('no_events: nothing of the subscribed types was published', async () => {
    const id = await endpoint({ url: okUrl, eventTypes: ['agent.assigned'], tenant: 'quiet' });
    const report = await diagnose(id);
    expect(step(report, 'event')).toMatchObject({ status: 'fail', code: 'no_events', detail: { matchingEvents: 0, deliveries: 0 } });
    expect(step(report, 'event').message).toContain('agent.assigned');
    expect(report.diagnosis.code).toBe('no_events');
  });

  it('events_filtered by tenant: the events carry another tenant', async () => {
    const id = await endpoint({ url: okUrl, eventTypes: ['payment.completed'], tenant: 'acme' });
    await publish('payment.completed', { amount: 1 }, 'globex');
    await publish('payment.completed', { amount: 2 }, 'globex');
    const report = await diagnose(id);
    const event = step(report, 'event');
    expect(event).toMatchObject({ status: 'fail', code: 'events_filtered', detail: { matchingEvents: 0, matchingEventsOtherTenants: { globex: 2 } } });
    expect(event.message).toContain('tenant "globex"');
    expect(event.message).toContain('tenant "acme"');
  });

  it('events_filtered by type: events of other types only', async () => {
    const id = await endpoint({ url: okUrl, eventTypes: ['chat.started'], tenant: 'typed' });
    await publish('call.ended', { callId: 'c1' }, 'typed');
    const report = await diagnose(id);
    expect(step(report, 'event')).toMatchObject({ status: 'fail', code: 'events_filtered', detail: { otherTypeEvents: 1 } });
    expect(step(report, 'event').message).toContain('none of the types');
  });

  it('events published while the endpoint was disabled: warning, nothing was delivered to it', async () => {
    const id = await endpoint({ url: okUrl, eventTypes: ['user.authenticated'], tenant: 'late', enabled: false });
    await publish('user.authenticated', { user: 'u' }, 'late');
    const disabled = await diagnose(id);
    expect(step(disabled, 'event')).toMatchObject({ status: 'fail', code: 'endpoint_disabled', detail: { disabledReason: 'manual' } });
    expect(step(disabled, 'event').message).toContain('switched off by hand');
    expect((await h.request('PATCH', `/v1/endpoints/${id}`, { body: { enabled: true } })).status).toBe(200);
    const report = await diagnose(id);
    expect(step(report, 'event')).toMatchObject({ status: 'warn', code: 'events_filtered', detail: { matchingEvents: 1, deliveries: 0 } });
  });

  it('pass: matching events created deliveries', async () => {
    const id = await endpoint({ url: okUrl, eventTypes: ['escalation.triggered'], tenant: 'happy' });
    await publish('escalation.triggered', { level: 2 }, 'happy');
    await attemptsOf(id, 1);
    const report = await diagnose(id);
    expect(step(report, 'event')).toMatchObject({ status: 'pass', detail: { matchingEvents: 1, deliveries: 1 } });
    expect(step(report, 'logs')).toMatchObject({ status: 'pass', detail: { attempts: 1, trend: 'healthy' } });
    expect(step(report, 'payload').status).toBe('pass');
    expect(report).toMatchObject({ ok: true, diagnosis: { code: 'plain_http' } });
  });
});

describe('logs step', () => {
  it('summarises failures that recovered: by code and status, first and last failure, trend', async () => {
    let calls = 0;
    const flaky = await serveHttp((_q, r) => {
      calls++;
      r.statusCode = calls <= 2 ? 503 : 200;
      r.end(calls <= 2 ? 'busy' : 'ok');
    }, closers);
    const id = await endpoint({ url: flaky.url, eventTypes: ['chat.started'], tenant: 'flaky', retrySchedule: [0, 0, 0] });
    await publish('chat.started', { chatId: 'x' }, 'flaky');
    await attemptsOf(id, 3);
    const report = await diagnose(id);
    const logs = step(report, 'logs');
    expect(logs).toMatchObject({
      status: 'warn',
      code: 'http_server_error',
      detail: { attempts: 3, failed: 2, byCode: { http_server_error: 2, ok: 1 }, byStatus: { '503': 2, '200': 1 }, trend: 'improving' },
    });
    expect(logs.detail.firstFailureAt).toEqual(expect.any(String));
    expect(logs.detail.lastFailureAt).toEqual(expect.any(String));
    expect(logs.detail.lastSuccessAt).toEqual(expect.any(String));
    expect(logs.message).toContain('2 of the last 3 attempts failed');
  });

  it('410 Gone: the dispatcher disabled the endpoint; the event step says why and the logs agree', async () => {
    const gone = await serveHttp((_q, r) => {
      r.statusCode = 410;
      r.end();
    }, closers);
    const id = await endpoint({ url: gone.url, eventTypes: ['interaction.transferred'], tenant: 'gone' });
    await publish('interaction.transferred', { to: 'agent' }, 'gone');
    await attemptsOf(id, 1);
    await eventually(async () => (await h.request('GET', `/v1/endpoints/${id}`)).body.enabled === false);
    const report = await diagnose(id);
    expect(step(report, 'event')).toMatchObject({ status: 'fail', code: 'endpoint_disabled', detail: { disabledReason: 'gone' } });
    expect(step(report, 'event').message).toContain('410 Gone');
    expect(step(report, 'http')).toMatchObject({ status: 'fail', code: 'http_gone' });
    expect(step(report, 'logs')).toMatchObject({ status: 'fail', code: 'http_gone', detail: { trend: 'failing', byStatus: { '410': 1 } } });
    expect(report.diagnosis.code).toBe('endpoint_disabled');
    expect(report.diagnosis.fix).toContain('re-enable');
  });
});

describe('payload step of an endpoint', () => {
  it('re-checks the latest delivered event against its type schema as it is now', async () => {
    const schema = (required: string[]) => ({ schema: { type: 'object', required, properties: { ticket: { type: 'string' }, queue: { type: 'string' } } } });
    expect((await h.request('PUT', '/v1/event-types/ticket.created', { body: schema(['ticket']) })).status).toBeLessThan(300);
    const id = await endpoint({ url: okUrl, eventTypes: ['ticket.created'], tenant: 'schema' });
    await publish('ticket.created', { ticket: 'T-1' }, 'schema');
    await attemptsOf(id, 1);
    expect(step(await diagnose(id), 'payload')).toMatchObject({ status: 'pass', detail: { type: 'ticket.created', schemaChecked: true } });
    // The schema is tightened after publishing: the doctor points at the field now missing.
    expect((await h.request('PUT', '/v1/event-types/ticket.created', { body: schema(['ticket', 'queue']) })).status).toBeLessThan(300);
    const report = await diagnose(id);
    expect(step(report, 'payload')).toMatchObject({ status: 'fail', code: 'schema_mismatch', detail: { errors: [{ path: '/queue', message: 'is required but missing' }] } });
  });
});
