// A manual retry is one attempt unless a fresh schedule is asked for, and every attempt says what
// triggered it (scheduled, manual, recover, bulk), through the real dispatcher and API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
let ep: string;

const attemptsOf = async (id: string) => (await h.request('GET', `/v1/deliveries/${id}`)).body as { status: string; attempts: Array<{ trigger: string }> };
const settled = (id: string, n: number) => eventually(async () => {
  const d = await attemptsOf(id);
  return d.attempts.length === n && d.status !== 'pending' && d.status !== 'sending' ? d : null;
}, 15_000, 25);

beforeAll(async () => {
  h = await createHarness({});
  receiver = await startReceiver((_req, res) => {
    res.writeHead(500);
    res.end();
  });
  // Two attempts per run on the schedule: now, and 1 s later.
  ep = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, retrySchedule: [0, 1], eventTypes: ['trigger.test'] } })).body.id;
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

describe('attempt triggers', () => {
  it('scheduled attempts, then one manual attempt, then a fresh manual schedule', async () => {
    await h.request('POST', '/v1/events', { body: { type: 'trigger.test', data: {} } });
    const id = await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}`)).body.data[0]?.id as string | undefined);
    let d = await settled(id, 2);
    expect(d.status).toBe('failed');
    expect(d.attempts.map((a) => a.trigger)).toEqual(['scheduled', 'scheduled']);

    // A plain retry: one attempt, and the delivery is failed again (no new two-step schedule).
    expect((await h.request('POST', `/v1/deliveries/${id}/retry`)).status).toBe(202);
    d = await settled(id, 3);
    expect(d.attempts.map((a) => a.trigger)).toEqual(['scheduled', 'scheduled', 'manual']);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await attemptsOf(id)).attempts).toHaveLength(3);

    // Asked for: the whole schedule again, its first attempt manual, the next scheduled.
    expect((await h.request('POST', `/v1/deliveries/${id}/retry?schedule=fresh`)).status).toBe(202);
    d = await settled(id, 5);
    expect(d.attempts.map((a) => a.trigger)).toEqual(['scheduled', 'scheduled', 'manual', 'manual', 'scheduled']);
  }, 30_000);

  it('a recovery and a bulk retry say so on their attempts', async () => {
    await h.request('POST', '/v1/events', { body: { type: 'trigger.test', data: { n: 2 } } });
    const list = await eventually(async () => {
      const l = (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=failed`)).body.data;
      return l.length === 2 ? l : null;
    }, 15_000, 50);
    const fresh = list.find((x: { attempts: number }) => x.attempts === 2).id as string;
    expect((await h.request('POST', `/v1/endpoints/${ep}/recover`, { body: { since: new Date(Date.now() - 60_000).toISOString() } })).body.recovered).toBe(2);
    let d = await settled(fresh, 4);
    expect(d.attempts.map((a) => a.trigger)).toEqual(['scheduled', 'scheduled', 'recover', 'scheduled']);
    const task = await h.request('POST', '/v1/bulk-retries', { body: { filter: { endpoint: ep, status: 'failed' } } });
    expect(task.status).toBe(202);
    d = await settled(fresh, 5);
    expect(d.attempts.at(-1)?.trigger).toBe('bulk');
  }, 30_000);

  it('refuses an unknown schedule value', async () => {
    const res = await h.request('POST', '/v1/deliveries/dlv_x/retry?schedule=forever');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});
