// A consumed source made through the dashboard in Chromium: the create form takes the broker URL and
// a password (sealed, read back as [redacted]), the detail page shows it, an entry added to the real
// Redis stream arrives in the request log as an accepted request with its event, and "Stop
// consuming" removes the consume member.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const run = randomBytes(4).toString('hex');
const STREAM = `hookd-e2e-src:${run}`;

describe.skipIf(!existsSync(CHROMIUM))('dashboard: a source that consumes from Redis (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let redis: Redis;
  const errors: string[] = [];

  beforeAll(async () => {
    h = await createHarness({}, { consumerRefreshMs: 200 });
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await redis?.del(STREAM);
    redis?.disconnect();
  });

  it('creates it, shows it redacted, sees a published entry arrive, and stops it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/sources`);
    await page.getByRole('heading', { level: 1, name: 'Sources' }).waitFor();
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name', { exact: true }).fill('orders-from-redis');
    await page.getByLabel('Verification scheme').selectOption('none');
    await page.getByLabel('Event type').fill('pointer:/type');
    const url = `redis://127.0.0.1:6379/0?stream=${encodeURIComponent(STREAM)}&group=hookd&start=0`;
    await page.getByLabel('Broker URL').fill(url);
    await page.getByLabel('Broker password or token (optional, sealed)').fill('e2e-broker-secret');
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.getByRole('heading', { name: 'Source orders-from-redis created' }).waitFor();
    await page.getByRole('cell', { name: url }).waitFor();
    await page.getByRole('link', { name: 'orders-from-redis' }).click();
    await page.getByRole('heading', { level: 1, name: 'orders-from-redis' }).waitFor();
    await page.getByText(url, { exact: true }).first().waitFor();
    await page.getByText('(password: [redacted])').waitFor();
    expect(await page.content()).not.toContain('e2e-broker-secret');

    const sources = await h.request('GET', '/v1/sources');
    const id = sources.body.data[0].id as string;
    expect(sources.body.data[0].consume).toEqual({ url, username: null, password: '[redacted]' });
    await h.runtime.consumers!.resync();
    await redis.call('XADD', STREAM, '*', 'body', JSON.stringify({ type: 'e2e.consumed', data: { n: 1 } }));
    // The log refreshes on the event stream: the accepted request appears with its origin.
    await page.locator('.req-accepted').filter({ hasText: `redis:${STREAM}` }).waitFor();
    await page.locator('.req-accepted summary').first().click();
    await page.getByRole('link', { name: /^evt_/ }).first().waitFor();
    const events = await h.request('GET', '/v1/events?type=e2e.consumed');
    expect(events.body.data).toHaveLength(1);

    await page.getByRole('button', { name: 'Stop consuming' }).click();
    await page.getByText('no broker (HTTP only)').waitFor();
    expect((await h.request('GET', `/v1/sources/${id}`)).body.consume).toBeNull();
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows the reason next to the broker URL when the server refuses it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/sources`);
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name', { exact: true }).fill('bad-broker');
    await page.getByLabel('Verification scheme').selectOption('none');
    await page.getByLabel('Broker URL').fill('mqtt://127.0.0.1:1883/a');
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.locator('.field-error').filter({ hasText: /stable client id/ }).waitFor();
    expect(await page.getByLabel('Broker URL').getAttribute('aria-invalid')).toBe('true');
  }, 30_000);
});
