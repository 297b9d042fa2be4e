// The Overview's "Issues" list: current failures grouped by endpoint and attempt code (a receiver
// answering 401 to three deliveries is one line), each linked to that endpoint's doctor. The
// grouping is checked on the API answer and in Debian's Chromium; any console error fails the run.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupIssues } from '../../src/dashboard/overview.js';
import type { Delivery } from '../../src/core/types.js';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { CHROMIUM, launch, shot, signIn, watch } from './support/browser.js';

describe('groupIssues', () => {
  const d = (over: Partial<Delivery>): Delivery =>
    ({ id: 'd', eventId: 'e', endpointId: 'ep_a', tenant: null, eventType: 't', status: 'pending', attempts: 1, runAttempts: 1, nextTrigger: 'scheduled', runLimit: null, nextAttemptAt: 0, leaseToken: 0, leaseExpiresAt: null, leaseOwner: null, lastCode: null, lastStatus: null, createdAt: 0, updatedAt: 0, ...over }) as Delivery;
  it('groups failed and retrying deliveries by endpoint and code, busiest first; skips the healthy', () => {
    const issues = groupIssues(
      [
        d({ status: 'failed', lastCode: 'http_5xx', lastStatus: 503, updatedAt: 10 }),
        d({ status: 'pending', lastCode: 'http_5xx', lastStatus: 500, updatedAt: 20 }),
        d({ status: 'pending', lastCode: null }),
        d({ status: 'succeeded', lastCode: 'ok' }),
        d({ endpointId: 'ep_b', status: 'sending', lastCode: 'connection_refused', updatedAt: 5 }),
      ],
      new Map([['ep_a', { url: 'https://a.example/', description: null, enabled: true }]]),
    );
    expect(issues).toEqual([
      { endpointId: 'ep_a', url: 'https://a.example/', description: null, enabled: true, code: 'http_5xx', lastStatus: 500, deliveries: 2, retrying: 1, exhausted: 1, latestAt: new Date(20).toISOString() },
      { endpointId: 'ep_b', url: null, description: null, enabled: null, code: 'connection_refused', lastStatus: null, deliveries: 1, retrying: 1, exhausted: 0, latestAt: new Date(5).toISOString() },
    ]);
  });
});

describe('dashboard overview: Issues (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let denied: Receiver;
  let endpointId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    denied = await startReceiver((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('bad token');
    });
    // The default schedule retries for hours: the three deliveries stay "retrying" during the test.
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: denied.url, description: 'Supervisor notifier' } });
    endpointId = ep.body.id;
    for (let i = 0; i < 3; i++) await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: `c_${i}` } } });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await denied?.close();
    await h?.close();
  });

  it('lists one line for the endpoint and code, linked to its doctor', async () => {
    const overview = await eventually(async () => {
      const o = await h.request('GET', '/v1/meta/overview?hours=1');
      return o.body.issues?.[0]?.deliveries === 3 ? o.body : null;
    }, 20_000);
    expect(overview.issues).toEqual([expect.objectContaining({ endpointId, code: 'http_unauthorized', lastStatus: 401, deliveries: 3, retrying: 3, exhausted: 0 })]);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    const table = page.locator('table[data-issues]');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    const text = await rows.first().innerText();
    expect(text).toContain('Supervisor notifier');
    expect(text).toContain('HTTP 401');
    expect(text).toContain(overview.issues[0].code);
    await shot(page, 'overview-issues-1280');
    await rows.first().locator('a[data-doctor-link]').click();
    await page.getByRole('button', { name: 'Run diagnosis' }).first().waitFor();
    expect(page.url()).toContain(`#/endpoints/${endpointId}?tab=testing`);
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
