// The doctor of an amqp:// endpoint on the dashboard in Chromium, against the real RabbitMQ: the
// broker steps (DNS, TCP, then the AMQP handshake, credentials and a confirmed test publish) appear
// step by step, and an exchange that does not exist fails with its code and the fix.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const run = randomBytes(4).toString('hex');
const QUEUE = `hookd-e2e-doctor-${run}`;

describe.skipIf(!existsSync(CHROMIUM))('dashboard: the doctor of a broker endpoint (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let page: Page;
  let conn: amqp.ChannelModel;
  const errors: string[] = [];

  beforeAll(async () => {
    // A queue bound to the routing key: the doctor's mandatory test publish has somewhere to go.
    conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertQueue(QUEUE, { durable: false, autoDelete: false });
    await ch.bindQueue(QUEUE, 'amq.direct', `hookd.e2e.${run}`);
    await ch.close();
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (conn) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(QUEUE).catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
  });

  async function diagnose(url: string): Promise<void> {
    const ep = await h.request('POST', '/v1/endpoints', { body: { url, auth: { type: 'basic', username: 'guest', password: 'guest' } } });
    expect(ep.status, ep.text).toBe(201);
    await page.goto(`${base}/#/endpoints/${ep.body.id}?tab=testing`);
    await page.getByRole('button', { name: 'Run diagnosis' }).click();
    await page.locator('.doctor .alert').waitFor();
  }

  it('shows the protocol steps passing for an exchange that exists', async () => {
    await diagnose(`amqp://127.0.0.1:5672/?exchange=amq.direct&routingKey=hookd.e2e.${run}`);
    const broker = page.locator('.doctor .step').filter({ hasText: 'Broker handshake and test publish' });
    await broker.waitFor();
    expect(await broker.getAttribute('class')).toContain('step-pass');
    expect(await broker.textContent()).toContain('confirmed a test publish');
    for (const label of ['DNS', 'TCP connect', 'Authentication']) await page.locator('.doctor .step').filter({ hasText: label }).first().waitFor();
    expect(await page.locator('.doctor .step-pass').filter({ hasText: 'Authentication' }).count()).toBe(1);
  }, 40_000);

  it('names the failing step and its fix for an exchange that does not exist', async () => {
    await diagnose(`amqp://127.0.0.1:5672/?exchange=hookd-missing-${run}&routingKey=x`);
    const alert = page.locator('.doctor .alert');
    expect(await alert.getAttribute('class')).toContain('alert-error');
    const broker = page.locator('.doctor .step-fail').filter({ hasText: 'Broker handshake and test publish' });
    await broker.waitFor();
    const text = (await broker.textContent()) ?? '';
    expect(text).toMatch(/broker_no_route|broker_rejected/);
    expect(text).toMatch(/hookd-missing/);
    // The fix is on the page: beside the step, or as the diagnosis on top.
    const fixes = await page.locator('.doctor').getByText(/^Fix/).count();
    expect(fixes).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 40_000);
});
