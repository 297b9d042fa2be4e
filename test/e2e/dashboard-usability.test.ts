// Dashboard usability in Chromium at the widths people use (1366 and 1920 px, and a phone): the
// inbound log tells the truth about duplicates, tables fit their box, the doctor's headline names its
// warnings, operational events can be hidden, and the smaller fixes of issue 15. Screenshots of each
// changed page are kept in test-output/screenshots/ (usability-*.png).

import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { go, launch, overflowOf, shot, signIn, VIEWPORTS, watch, type Watched } from './support/browser.js';

describe('dashboard usability (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let good: Receiver;

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    good = await startReceiver();
    browser = await launch();
    ctx = await browser.newContext({ viewport: VIEWPORTS.laptop });
    w = watch(await ctx.newPage());
    await signIn(w.page, base, ADMIN_KEY);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await good?.close();
    await h?.close();
  });

  it('logs an inbound duplicate with the 200 its sender got and a "duplicate" label (item 17)', async () => {
    const { page } = w;
    const source = (await h.request('POST', '/v1/sources', { body: { name: 'dup-partner', verify: { scheme: 'none' }, eventType: 'dup.arrived' } })).body;
    const send = () => fetch(`${base}/in/${source.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'delivery-7' }, body: '{"n":1}' });
    const first = await send();
    expect(first.status).toBe(202);
    const again = await send();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });

    await go(page, base, `#/sources/${source.id}`, 'dup-partner');
    const dup = page.locator('.req-duplicate').first();
    await dup.waitFor();
    expect(await dup.locator('.badge').textContent()).toBe('duplicate');
    expect(await dup.locator('.req-status').textContent()).toBe('200');
    expect(await dup.locator('.req-reason').textContent()).toMatch(/Duplicate of/);
    expect(await dup.textContent()).not.toMatch(/Verified/);
    // Only a rejection is shown in the alarm colour.
    const colours = await page.evaluate(() => {
      const colour = (sel: string) => getComputedStyle(document.querySelector(sel)!).color;
      return { dup: colour('.req-duplicate .req-reason'), accepted: colour('.req-accepted .req-reason') };
    });
    expect(colours.dup).toBe(colours.accepted);
    expect(await page.locator('.req-accepted .req-status').first().textContent()).toBe('202');
    await shot(page, 'usability-source-duplicate-1366');
  });

  it('fits the deliveries table at 1366 and 1920 px, names endpoints by description, and marks deleted ones (item 18)', async () => {
    const longPath = '/hooks/customer-relationship-management/integrations/incoming-webhooks/v2/receive';
    const named = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}${longPath}?tenant=acme-industries-international&region=eu-central`, description: 'Acme CRM (production)' } })).body.id;
    const bare = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}${longPath}/without-any-description?workspace=northwind-traders-incorporated` } })).body;
    const doomed = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}/doomed`, description: 'Soon deleted' } })).body.id;
    for (const type of ['customer.subscription.payment_method.updated', 'chat.started']) {
      expect((await h.request('POST', '/v1/events', { body: { type, data: { n: 1 } } })).status).toBe(202);
    }
    await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${doomed}&status=succeeded`)).body.data.length === 2, 15_000);
    expect((await h.request('DELETE', `/v1/endpoints/${doomed}`)).status).toBe(204);

    for (const [name, viewport] of [['1366', VIEWPORTS.laptop], ['1920', VIEWPORTS.desktop]] as const) {
      const c = await browser.newContext({ viewport });
      const pw = watch(await c.newPage());
      await signIn(pw.page, base, ADMIN_KEY);
      await go(pw.page, base, '#/deliveries', 'Deliveries');
      await pw.page.locator('tr[data-delivery]').nth(5).waitFor();
      await shot(pw.page, `usability-deliveries-${name}`);
      // Nothing sticks out of the table's box, and every row's retry button is inside it.
      expect(await overflowOf(pw.page, '.table-wrap'), name).toBe(0);
      const box = (await pw.page.locator('.table-wrap').boundingBox())!;
      for (const b of await pw.page.locator('tr[data-delivery] button', { hasText: /Retry/ }).all()) {
        const r = (await b.boundingBox())!;
        expect(r.x + r.width, name).toBeLessThanOrEqual(box.x + box.width);
      }
      // The description names the endpoint; the URL is in the tooltip.
      const namedCell = pw.page.locator(`a[href="#/endpoints/${named}"]`).first();
      expect(await namedCell.textContent()).toBe('Acme CRM (production)');
      expect(await namedCell.getAttribute('title')).toContain(longPath);
      // Without a description the URL is shown, cut with an ellipsis, whole in the title.
      const bareCell = pw.page.locator(`td a[href="#/endpoints/${bare.id}"]`).first();
      expect(await bareCell.getAttribute('title')).toBe(bare.url);
      expect(await bareCell.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
      // A delivery to the deleted endpoint says so and links nowhere.
      expect(await pw.page.locator(`a[href="#/endpoints/${doomed}"]`).count()).toBe(0);
      expect(await pw.page.locator('.deleted-endpoint').count()).toBe(2);
      expect(await pw.page.locator('.deleted-endpoint').first().textContent()).toBe('deleted endpoint');
      await go(pw.page, base, '#/endpoints', 'Endpoints');
      await pw.page.getByText('Acme CRM (production)').waitFor();
      expect(await overflowOf(pw.page, '.table-wrap'), name).toBe(0);
      await shot(pw.page, `usability-endpoints-${name}`);
      await go(pw.page, base, '#/overview', 'Overview');
      await pw.page.locator('.stat-label', { hasText: 'Success rate' }).waitFor();
      expect(await overflowOf(pw.page, '.table-wrap'), name).toBe(0);
      await c.close();
      expect(pw.errors).toEqual([]);
    }

    // A full URL on a phone wraps only after its separators: no piece between two <wbr> is split.
    const phone = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    const pp = watch(await phone.newPage());
    await signIn(pp.page, base, ADMIN_KEY);
    await go(pp.page, base, `#/endpoints/${bare.id}`, /without-any-description/);
    const split = await pp.page.evaluate(() => {
      const pieces = [...document.querySelectorAll('h1 .url')].flatMap((el) => [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE));
      const broken: string[] = [];
      for (const n of pieces) {
        const range = document.createRange();
        range.selectNodeContents(n);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(n.textContent ?? '');
      }
      return { pieces: pieces.length, broken };
    });
    expect(split.pieces).toBeGreaterThan(5);
    expect(split.broken).toEqual([]);
    expect(await pp.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    await shot(pp.page, 'usability-endpoint-detail-phone');
    await go(pp.page, base, '#/deliveries', 'Deliveries');
    await pp.page.locator('tr[data-delivery]').first().waitFor();
    expect(await pp.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    await shot(pp.page, 'usability-deliveries-phone');
    await phone.close();
    expect(pp.errors).toEqual([]);
  });

  it('the doctor says "passed with N warnings" and names them; green only when all pass (item 19)', async () => {
    const { page } = w;
    let calls = 0;
    const slow = await startReceiver((_req, res) => {
      calls += 1;
      // The first delivery fails, then every answer takes 700 ms of a 1 s timeout.
      const status = calls === 1 ? 500 : 200;
      setTimeout(() => {
        res.writeHead(status);
        res.end();
      }, calls === 1 ? 0 : 700);
    });
    try {
      const ep = (await h.request('POST', '/v1/endpoints', { body: { url: slow.url, description: 'Slow receiver', timeoutMs: 1000, retrySchedule: [0, 1], eventTypes: ['doctor.probe'] } })).body.id;
      await h.request('POST', '/v1/events', { body: { type: 'doctor.probe', data: {} } });
      await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=succeeded`)).body.data.length === 1, 15_000);
      await go(page, base, `#/endpoints/${ep}`, slow.url);
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      const alert = page.locator('.doctor .alert');
      await alert.waitFor({ timeout: 20_000 });
      const warned = await page.locator('.doctor .step-warn').count();
      expect(warned).toBeGreaterThanOrEqual(3); // plain HTTP, latency, and the failed attempt in the logs
      expect(await alert.locator('.doctor-headline').textContent()).toBe(`Passed with ${warned} warnings`);
      expect(await alert.getAttribute('class')).toContain('alert-warn');
      expect(await alert.locator('.doctor-warnings li').count()).toBe(warned);
      const named = await alert.locator('.doctor-warnings').textContent();
      for (const code of ['plain_http', 'slow_response']) expect(named).toContain(code);
      expect(await alert.textContent()).not.toContain('All checks passed');
      await shot(page, 'usability-doctor-warnings-1366');
    } finally {
      await slow.close();
    }
    // The same renderer with every check passed (or skipped) is green and says so.
    // (A string, so the test runner does not rewrite the browser's dynamic import.)
    const green = (await page.evaluate(`(async () => {
      const { doctorReport } = await import('/components/doctor-report.js');
      const el = doctorReport({ target: 'https://example.test/hook', ok: true, diagnosis: { code: 'ok', summary: 'fine', fix: '' }, checks: [{ step: 'dns', status: 'pass', code: 'ok', message: 'resolved', detail: {} }, { step: 'auth', status: 'skip', code: 'skipped', message: 'no auth', detail: {} }] });
      return { text: el.querySelector('.alert').textContent, cls: el.querySelector('.alert').className, list: el.querySelectorAll('.doctor-warnings').length };
    })()`)) as { text: string; cls: string; list: number };
    expect(green.text).toContain('All checks passed');
    expect(green.cls).toContain('alert-ok');
    expect(green.list).toBe(0);
  });

  it('hides operational events by default, with a toggle; type filters take prefixes and exclusions (item 20)', async () => {
    const { page } = w;
    const flip = async (tenant: string | null) => {
      const ep = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}/ops`, eventTypes: ['ops.none'], ...(tenant ? { tenant } : {}) } })).body.id;
      await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { enabled: false } });
      await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { enabled: true } }); // publishes endpoint.recovered
    };
    await flip(null);
    await flip('acme');
    for (const type of ['chat.started', 'chat.ended', 'payment.completed']) await h.request('POST', '/v1/events', { body: { type, data: {} } });
    await h.request('POST', '/v1/events', { body: { type: 'chat.started', tenant: 'acme', data: {} } });

    await go(page, base, '#/events', 'Events');
    await page.locator('tbody tr').first().waitFor();
    const shownTypes = async () => page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(await shownTypes()).not.toContain('endpoint.recovered');
    expect(await shownTypes()).toContain('chat.ended');
    await shot(page, 'usability-events-default-1366');
    // A live operational event stays out of the page; a live real one comes in.
    const before = await page.locator('tbody tr').count();
    await flip(null);
    await h.request('POST', '/v1/events', { body: { type: 'chat.message.sent', data: {} } });
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 10_000 }).toBe(before + 1);
    expect((await shownTypes())[0]).toBe('chat.message.sent');

    await page.getByLabel('Show operational events').check();
    await expect.poll(async () => (await shownTypes()).filter((t) => t === 'endpoint.recovered').length).toBe(3);
    expect(page.url()).toContain('operational=show');
    await page.getByLabel('Show operational events').uncheck();
    await expect.poll(async () => (await shownTypes()).includes('endpoint.recovered')).toBe(false);

    await page.getByLabel('Type', { exact: true }).fill('chat.*, -chat.ended');
    await expect.poll(async () => [...new Set(await shownTypes())].sort()).toEqual(['chat.message.sent', 'chat.started']);
    await shot(page, 'usability-events-filtered-1366');
    // A filter the server refuses says why, and the next good one brings the rows back.
    w.allow.push(/recent-events.*type=chat\.\*\.x/);
    await page.getByLabel('Type', { exact: true }).fill('chat.*.x');
    await page.getByText('"chat.*.x" is not a type filter term', { exact: false }).waitFor();
    await page.getByLabel('Type', { exact: true }).fill('-chat.*');
    await expect.poll(async () => (await shownTypes()).includes('payment.completed')).toBe(true);
    expect((await shownTypes()).filter((t) => t.startsWith('chat.') || t === 'endpoint.recovered')).toEqual([]);

    // The tenant portal hides them the same way, and shows its own tenant's when asked.
    const link = (await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 300 } })).body;
    const portal = await browser.newContext({ viewport: VIEWPORTS.laptop });
    const pw = watch(await portal.newPage());
    await pw.page.goto(`${base}/portal?token=${link.token}#/events`);
    await pw.page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await pw.page.locator('tbody tr').first().waitFor();
    const portalTypes = () => pw.page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(await portalTypes()).toEqual(['chat.started']);
    await pw.page.getByLabel('Show operational events').check();
    await expect.poll(async () => (await portalTypes()).sort()).toEqual(['chat.started', 'endpoint.recovered']);
    await shot(pw.page, 'usability-portal-events-1366');
    await portal.close();
    expect(pw.errors).toEqual([]);
  });

  it('logged no console errors in the main session', () => {
    expect(w.errors).toEqual([]);
  });
});
