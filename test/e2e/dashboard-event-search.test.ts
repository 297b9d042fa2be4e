// The Events page's search box in Chromium: a JSON object finds events by data containment, an
// evt_ id and an idempotency key find their event, and a malformed match shows the server's problem.
// The Audit log page lists the changes made while setting the test up. The Deliveries page filters
// by the last attempt's HTTP status, attempt code and tenant.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { CHROMIUM, launch, signIn, watch } from './support/browser.js';

describe.skipIf(!existsSync(CHROMIUM))('dashboard: event search (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    ids.vip = (await h.request('POST', '/v1/events', { body: { type: 'order.created', data: { customer: { tier: 'vip' } }, idempotencyKey: 'order-vip-1' } })).body.id;
    ids.basic = (await h.request('POST', '/v1/events', { body: { type: 'order.created', data: { customer: { tier: 'basic' } } } })).body.id;
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function searchFor(page: Page, text: string): Promise<void> {
    await page.getByLabel('Search events').fill(text);
    await page.getByLabel('Search events').press('Enter');
  }

  it('finds events by data, id and idempotency key', async () => {
    const page = await browser.newPage();
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    await page.goto(`${base}/#/events`);
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    const table = page.locator('table tbody');
    await table.getByRole('link').first().waitFor();

    await searchFor(page, '{"customer":{"tier":"vip"}}');
    await expect.poll(() => table.innerText(), { timeout: 5000 }).not.toContain(ids.basic!.slice(-6));
    expect(await table.getByRole('link').count()).toBe(1);
    expect(await table.getByRole('link').first().getAttribute('href')).toBe(`#/events/${ids.vip}`);
    expect(page.url()).toContain('search=');

    await searchFor(page, ids.basic!);
    await expect.poll(async () => table.getByRole('link').first().getAttribute('href'), { timeout: 5000 }).toBe(`#/events/${ids.basic}`);
    expect(await table.getByRole('link').count()).toBe(1);

    await searchFor(page, 'order-vip-1');
    await expect.poll(async () => table.getByRole('link').first().getAttribute('href'), { timeout: 5000 }).toBe(`#/events/${ids.vip}`);

    w.allow.push(/recent-events/);
    await searchFor(page, '{"customer":');
    await page.getByText(/match must be JSON/).first().waitFor();
    expect(w.errors.filter((e) => !/400/.test(e))).toEqual([]);
    await page.close();
  });

  it('the Deliveries page filters by HTTP status, attempt code and tenant', async () => {
    const receivers: Receiver[] = [];
    for (const [tenant, status, description] of [['acme', 404, 'Acme CRM hook'], ['globex', 503, 'Globex ERP hook']] as const) {
      const r = await startReceiver((_req: unknown, res: ServerResponse) => {
        res.writeHead(status);
        res.end();
      });
      receivers.push(r);
      expect((await h.request('POST', '/v1/endpoints', { body: { url: r.url, tenant, description, eventTypes: ['shipment.sent'], retrySchedule: [0] } })).status).toBe(201);
      expect((await h.request('POST', '/v1/events', { body: { type: 'shipment.sent', tenant, data: {} } })).status).toBe(202);
    }
    await eventually(async () => (await h.request('GET', '/v1/deliveries?status=failed&type=shipment.sent')).body.data.length === 2, 15_000);
    const page = await browser.newPage();
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    await page.goto(`${base}/#/deliveries`);
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    const table = page.locator('table tbody');
    await table.getByText('Globex ERP hook').first().waitFor();
    await table.getByText('Acme CRM hook').first().waitFor();

    await page.getByLabel('HTTP status').fill('404');
    await expect.poll(() => table.innerText(), { timeout: 5000 }).not.toContain('Globex ERP hook');
    expect(await table.innerText()).toContain('Acme CRM hook');
    expect(page.url()).toContain('httpStatus=404');
    // Bulk retry cannot take this filter: it waits until the filter is cleared.
    expect(await page.getByRole('button', { name: 'Retry all matching…' }).isDisabled()).toBe(true);

    await page.getByLabel('HTTP status').fill('');
    await page.getByLabel('Attempt code').fill('http_server_error');
    await expect.poll(() => table.innerText(), { timeout: 5000 }).not.toContain('Acme CRM hook');
    expect(await table.innerText()).toContain('Globex ERP hook');

    await page.getByLabel('Attempt code').fill('');
    await page.getByLabel('Tenant').fill('acme');
    await expect.poll(() => table.innerText(), { timeout: 5000 }).not.toContain('Globex ERP hook');
    expect(await table.innerText()).toContain('Acme CRM hook');

    // An unknown code is the server's precise problem on the page, not an empty list.
    w.allow.push(/deliveries/);
    await page.getByLabel('Tenant').fill('');
    await page.getByLabel('Attempt code').fill('no_such_code');
    await page.getByText(/code/i).locator('xpath=ancestor-or-self::*[contains(@class,"alert")]').first().waitFor();
    expect(w.errors.filter((e) => !/400/.test(e))).toEqual([]);
    await page.close();
    for (const r of receivers) await r.close();
  });

  it('the Audit log page lists who changed what', async () => {
    await h.request('PUT', '/v1/event-types/order.created', { body: { description: 'An order' } });
    const page = await browser.newPage();
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    await page.goto(`${base}/#/audit`);
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    const text = await page.locator('table').innerText();
    expect(text).toContain('event_type.put');
    expect(text).toContain('order.created');
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
