// The dashboard's Alerts page in Debian's Chromium: add a webhook channel (its secret shown once),
// add a rule on it, see a notification the worker sent, delete the rule and the channel. Any console
// error fails the run.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { CHROMIUM, launch, shot, signIn, watch } from './support/browser.js';

describe('dashboard: Alerts (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let hooks: Receiver;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    h = await createHarness({ env: { HOOKD_ALERT_EVALUATE_MS: '200' } });
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    hooks = await startReceiver((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await hooks?.close();
    await h?.close();
  });

  it('creates and deletes a channel and a rule, and lists the notifications sent', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    await page.locator('a[data-nav="alerts"]').click();
    await page.getByText('No channels yet.').waitFor();

    await page.locator('input[name="channel-name"]').fill('ops hook');
    await page.locator('input[name="channel-url"]').fill(hooks.url);
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.locator('[data-channel-secret] code').waitFor();
    const secret = await page.locator('[data-channel-secret] code').innerText();
    expect(secret).toMatch(/^whsec_/);
    const channels = (await h.request('GET', '/v1/alerts/channels')).body.data;
    expect(channels).toEqual([expect.objectContaining({ name: 'ops hook', kind: 'webhook' })]);
    await expect.poll(() => page.locator('tr[data-channel]').count()).toBe(1);
    expect(await page.locator('[data-alert-channels]').innerText()).not.toContain(secret);

    await page.locator('input[name="rule-name"]').fill('disabled endpoints');
    await page.locator('select[name="rule-kind"]').selectOption('endpoint_disabled');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.locator('tr[data-rule]').count()).toBe(1);
    const rules = (await h.request('GET', '/v1/alerts/rules')).body.data;
    expect(rules).toEqual([expect.objectContaining({ name: 'disabled endpoints', kind: 'endpoint_disabled', channels: [channels[0].id] })]);

    // The worker fires the rule: an endpoint disabled over the API.
    await expect.poll(() => h.runtime.alerts!.rules().length, { timeout: 5000 }).toBe(1);
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: hooks.url } });
    await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { enabled: false } });
    await expect.poll(async () => (await h.request('GET', '/v1/alerts/notifications')).body.data.length, { timeout: 10_000 }).toBe(1);
    await page.reload();
    await page.locator('tr[data-notification]').waitFor();
    expect(await page.locator('tr[data-notification]').innerText()).toContain('disabled endpoints');
    await shot(page, 'alerts-1280');

    await page.locator('tr[data-rule] button', { hasText: 'Delete' }).click();
    await page.getByText('No rules yet.').waitFor();
    await page.locator('tr[data-channel] button', { hasText: 'Delete' }).click();
    await page.getByText('No channels yet.').waitFor();
    expect((await h.request('GET', '/v1/alerts/channels')).body.data).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
