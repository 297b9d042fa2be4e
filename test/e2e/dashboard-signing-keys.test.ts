// The dashboard's Signing keys view in Chromium: a tenant's keys with state and age, the next
// rotation and the key-set URL; a tenant key sees only its own tenant; no private key on the page.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('dashboard: signing keys (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let acmeKey: string;
  const errors: string[] = [];

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, tenant: 'acme', signing: 'ed25519', eventTypes: ['never'] } });
    await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, tenant: 'globex', signing: 'both', eventTypes: ['never'] } });
    await h.request('POST', '/v1/signing-keys/rotate', { body: { tenant: 'acme' } });
    acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function open(key: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.goto(`${base}/#/signing-keys`);
    await page.getByRole('heading', { level: 1, name: 'Signing keys' }).waitFor();
    await page.locator('table').first().waitFor();
    return page;
  }

  it('shows every tenant to an admin: keys, states, ages, next rotation, key-set URL', async () => {
    const page = await open(ADMIN_KEY);
    expect(await page.getByRole('link', { name: 'Signing keys' }).count()).toBe(1);
    const text = await page.locator('main, body').first().innerText();
    expect(text).toContain('acme');
    expect(text).toContain('globex');
    expect(text).toContain('published, not signing yet');
    expect(text).toContain('signing until retired');
    expect(text).toContain('/.well-known/webhooks/jwks.json?tenant=acme');
    expect(text).toContain('Next rotation');
    const listed = await h.request('GET', '/v1/signing-keys?tenant=acme');
    for (const k of listed.body.data[0].keys) expect(await page.locator(`tr[data-kid="${k.id}"]`).count()).toBe(1);
    expect(await page.content()).not.toContain('whsk_');
    expect(errors).toEqual([]);
  }, 60_000);

  it('fits a phone screen (tables scroll inside their box)', async () => {
    const page = await open(ADMIN_KEY, { width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }, 60_000);

  it("shows a tenant key only its own tenant's keys", async () => {
    const page = await open(acmeKey);
    const text = await page.locator('body').innerText();
    expect(text).toContain('jwks.json?tenant=acme');
    expect(text).not.toContain('globex');
    expect(errors).toEqual([]);
  }, 60_000);
});
