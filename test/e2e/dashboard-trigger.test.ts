// The event-type page's Trigger button in Chromium: it publishes the example, or data generated from
// the schema when there is none (GET /v1/event-types/:name/sample), and says how many endpoints got it.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('dashboard: trigger an event type (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    await h.request('PUT', '/v1/event-types/shop.order.placed', { body: { description: 'schema only', schema: { type: 'object', required: ['orderId', 'total'], properties: { orderId: { type: 'string' }, total: { type: 'integer', minimum: 5 } } } } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('publishes data generated from the schema', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/event-types`);
    await page.getByRole('heading', { level: 1, name: 'Event types' }).waitFor();
    await page.getByRole('button', { name: 'Trigger' }).click();
    await page.getByText(/Triggered evt_\S+ \(data from the schema\) to 0 endpoints/).waitFor();
    const events = await h.request('GET', '/v1/events?type=shop.order.placed');
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0].data).toEqual({ orderId: 'example orderId', total: 5 });
    expect(errors).toEqual([]);
  }, 30_000);
});
