// The endpoint page's blocked ordering keys in Chromium: a key whose head exhausted its retries is
// listed with its head and backlog, and Retry, Skip and Release act on it through the API.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('dashboard: blocked ordering keys (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let receiver: Receiver;
  let ep: string;
  let failing = true;
  const errors: string[] = [];

  const blocked = async () => (await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`)).body.data as Array<{ key: string; waiting: number }>;

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    receiver = await startReceiver((_req, res) => {
      res.writeHead(failing ? 500 : 200);
      res.end();
    });
    ep = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, retrySchedule: [0], eventTypes: ['chat.message'] } })).body.id;
    for (const key of ['chat-1', 'chat-2']) for (let n = 0; n < 3; n += 1) await h.request('POST', '/v1/events', { body: { type: 'chat.message', data: { n }, orderingKey: key } });
    await eventually(async () => ((await blocked()).length === 2 ? true : null), 10_000, 50);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.close();
  });

  async function open(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/endpoints/${ep}`);
    await page.getByRole('heading', { name: 'Blocked ordering keys' }).waitFor();
    await page.locator('[data-blocked-keys] tr[data-key="chat-1"]').waitFor();
    return page;
  }

  it('lists blocked keys with their head and backlog; retry, skip and release work', async () => {
    const page = await open();
    const row1 = page.locator('tr[data-key="chat-1"]');
    expect(await row1.innerText()).toContain('http_server_error');
    expect(await row1.locator('td.num').innerText()).toBe('2');

    // Retry while the receiver still fails: the key is blocked again.
    await row1.locator('button[data-action="retry"]').click();
    await page.locator('.toast', { hasText: 'Head re-queued.' }).waitFor();
    await eventually(async () => ((await blocked()).some((k) => k.key === 'chat-1') ? true : null), 10_000, 50);

    // Skip with a healthy receiver: the key flows again and leaves the list.
    failing = false;
    await page.reload();
    await page.locator('tr[data-key="chat-1"]').waitFor();
    await page.locator('tr[data-key="chat-1"] button[data-action="skip"]').click();
    await page.locator('.toast', { hasText: 'Head skipped' }).waitFor();
    await eventually(async () => ((await blocked()).every((k) => k.key !== 'chat-1') ? true : null), 10_000, 50);

    // Release asks first, then cancels the backlog.
    await page.locator('tr[data-key="chat-2"] button[data-action="release"]').click();
    await page.getByRole('button', { name: 'Release key' }).click();
    await page.locator('.toast', { hasText: '2 waiting deliveries cancelled' }).waitFor();
    await page.getByText('No blocked keys').waitFor();
    expect(await blocked()).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
