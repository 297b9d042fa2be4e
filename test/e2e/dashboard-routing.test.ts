// The endpoint page's Filter & transform tab in Chromium: test and save a filter, test a transform
// (its output and a failing one's error), save it as version 1 and see it on reload.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('dashboard: filter and transform (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let endpointId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    endpointId = (await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, eventTypes: ['chat.started'] } })).body.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function open(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => m.type() === 'error' && !/status of 422/.test(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/endpoints/${endpointId}?tab=routing`);
    await page.getByRole('heading', { name: 'Content filter' }).waitFor();
    return page;
  }

  it('tests and saves a filter, then tests, saves and versions a transform', async () => {
    const page = await open();
    await page.getByLabel('Filter (JSON)').fill('{"data.customer.tier": "gold"}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.getByTestId('filter-result').getByText('No match').waitFor();
    expect(await page.getByTestId('filter-result').innerText()).toContain('data.customer.tier is "vip", which fails $eq "gold"');
    await page.getByLabel('Filter (JSON)').fill('{"data.customer.tier": "vip"}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.getByTestId('filter-result').getByText('Matches').waitFor();
    await page.getByRole('button', { name: 'Save filter' }).click();
    await expect.poll(async () => (await h.request('GET', `/v1/endpoints/${endpointId}`)).body.filter).toEqual({ 'data.customer.tier': 'vip' });

    await page.getByRole('heading', { name: 'Transform' }).waitFor();
    await page.getByLabel('Transform', { exact: true }).selectOption('code');
    await page.getByLabel('Code').fill('function transform(w) { throw new Error("not yet"); }');
    await page.getByRole('button', { name: 'Test transform' }).click();
    await page.getByTestId('transform-result').getByText('Result: error').waitFor();
    expect(await page.getByTestId('transform-result').innerText()).toContain('not yet');
    await page.getByLabel('Code').fill('function transform(w) { w.body = { greeting: "hi " + w.event.type }; return w; }');
    await page.getByRole('button', { name: 'Test transform' }).click();
    await page.getByTestId('transform-result').getByText('Result: ok').waitFor();
    expect(await page.getByTestId('transform-result').innerText()).toContain('"greeting": "hi chat.started"');
    await page.getByRole('button', { name: 'Save transform' }).click();
    await page.getByText('Current: version 1.').waitFor();
    expect((await h.request('GET', `/v1/endpoints/${endpointId}`)).body.transform).toMatchObject({ version: 1 });
    await page.getByLabel('Transform', { exact: true }).selectOption('slack');
    await page.getByRole('button', { name: 'Save transform' }).click();
    await page.getByText('Current: version 2 (preset slack).').waitFor();
    await page.getByText('Earlier versions (1)').waitFor();
    expect(errors).toEqual([]);
  }, 90_000);
});
