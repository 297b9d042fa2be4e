// Dashboard usability in Chromium at the widths people use (1366 and 1920 px, and a phone): the
// inbound log tells the truth about duplicates, tables fit their box, the doctor's headline names its
// warnings, operational events can be hidden, and the smaller fixes of issue 15. Screenshots of each
// changed page are kept in test-output/screenshots/ (usability-*.png).

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { go, launch, overflowOf, shot, SHOTS, signIn, VIEWPORTS, watch, type Watched } from './support/browser.js';

describe('dashboard usability (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let good: Receiver;

  beforeAll(async () => {
    // A server default that is not the form's old constant (15 s), to see the form use it.
    h = await createHarness({ env: { HOOKD_DEFAULT_TIMEOUT_MS: '7000' } });
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
      await go(page, base, `#/endpoints/${ep}?tab=testing`, slow.url);
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

  it('source form: an empty HMAC header is one error, next to the field; the one-time panel stays until dismissed (item 24)', async () => {
    const { page } = w;
    await go(page, base, '#/sources', 'Sources');
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name').fill('hmac-partner');
    await page.getByLabel('Verification scheme').selectOption('hmac');
    await page.getByRole('button', { name: 'Create source' }).click();
    const header = page.getByLabel('Signature header');
    await page.locator('.field-error').first().waitFor();
    expect(await page.locator('.field-error').count()).toBe(1);
    expect(await header.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await page.locator('.field-error').getAttribute('id'))!;
    expect(await header.getAttribute('aria-describedby')).toContain(errorId);
    expect(await page.locator('.field-error').textContent()).toBe('is required');
    // The refused create's 400 is the expected outcome of that step, not a page error.
    const expected = w.errors.findIndex((e) => /status of 400.*\/v1\/sources$/.test(e));
    expect(expected).toBeGreaterThanOrEqual(0);
    w.errors.splice(expected, 1);
    // Said once on the whole page, and nothing about the other eight schemes.
    const text = (await page.locator('form').textContent())!;
    expect(text.match(/is required/g)).toHaveLength(1);
    expect(text).not.toMatch(/constant|oneOf|must match|is not a known field/);
    await shot(page, 'usability-source-form-error-1366');

    await header.fill('x-partner-signature');
    await page.getByRole('button', { name: 'Create source' }).click();
    const first = page.locator('.one-time', { hasText: 'Source hmac-partner created' });
    await first.waitFor();
    expect(await first.locator('dd code').first().textContent()).toMatch(/\S{16,}/); // the generated secret
    // The next action (another form, another source) does not replace the unsaved secret.
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name').fill('second-partner');
    await page.getByLabel('Verification scheme').selectOption('none');
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.locator('.one-time', { hasText: 'Source second-partner created' }).waitFor();
    expect(await first.isVisible()).toBe(true);
    await shot(page, 'usability-source-secret-panels-1366');
    await first.getByRole('button', { name: /dismiss/ }).click();
    expect(await page.locator('.one-time', { hasText: 'hmac-partner' }).count()).toBe(0);
    expect(await page.locator('.one-time').count()).toBe(1);
  });

  it("the endpoint form starts from the server's default timeout (item 24)", async () => {
    const { page } = w;
    await go(page, base, '#/endpoints/new', 'New endpoint');
    expect(await page.getByLabel('Timeout (seconds)').inputValue()).toBe('7');
    await page.getByLabel('URL', { exact: true }).fill(`${good.url}/timeout-default`);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: /timeout-default/ }).waitFor();
    const id = /#\/endpoints\/([^/?]+)/.exec(page.url())![1]!;
    expect((await h.request('GET', `/v1/endpoints/${id}`)).body.timeoutMs).toBe(7000);
    // Emptied, the field leaves the choice to the server.
    await go(page, base, '#/endpoints/new', 'New endpoint');
    await page.getByLabel('Timeout (seconds)').fill('');
    await page.getByLabel('URL', { exact: true }).fill(`${good.url}/timeout-empty`);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: /timeout-empty/ }).waitFor();
    const id2 = /#\/endpoints\/([^/?]+)/.exec(page.url())![1]!;
    expect((await h.request('GET', `/v1/endpoints/${id2}`)).body.timeoutMs).toBe(7000);
  });

  it('one date format everywhere, a favicon, and the phone menu closes on every route change (item 24)', async () => {
    const { page } = w;
    await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}/dates`, eventTypes: ['date.check'] } });
    await h.request('POST', '/v1/events', { body: { type: 'date.check', data: {} } });
    // Every rendered time is YYYY-MM-DD HH:MM:SS (local), wherever it appears.
    for (const [hash, heading] of [['#/events', 'Events'], ['#/deliveries', 'Deliveries'], ['#/sources', 'Sources']] as const) {
      await go(page, base, hash, heading);
      await page.locator('time').first().waitFor();
      const times = await page.locator('main time').allTextContents();
      for (const t of times.filter((x) => !/ago$|^in /.test(x))) expect(t, hash).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    await go(page, base, '#/portal-links', 'Tenant portal');
    await page.getByLabel('Tenant').fill('acme');
    await page.getByRole('button', { name: 'Create portal link' }).click();
    expect(await page.locator('.alert-ok p').first().textContent()).toMatch(/valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:$/);
    const icon = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="icon"]') as HTMLLinkElement;
      const res = await fetch(link.href);
      const ico = await fetch('/favicon.ico');
      return { svg: res.status, type: res.headers.get('content-type'), ico: ico.status };
    });
    expect(icon).toEqual({ svg: 200, type: expect.stringContaining('image/svg+xml'), ico: 200 });

    const phone = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    const pw = watch(await phone.newPage());
    await signIn(pw.page, base, ADMIN_KEY);
    const menu = pw.page.getByRole('button', { name: 'Menu' });
    const isOpen = async () => (await menu.getAttribute('aria-expanded')) === 'true' && (await pw.page.locator('#nav.open').count()) === 1;
    await menu.click();
    expect(await isOpen()).toBe(true);
    // A link inside the page, not in the menu.
    await pw.page.locator('main a[href^="#/"]').first().evaluate((a) => (a as HTMLAnchorElement).click());
    await expect.poll(isOpen).toBe(false);
    await menu.click();
    expect(await isOpen()).toBe(true);
    await pw.page.goBack();
    await expect.poll(isOpen).toBe(false);
    await menu.click();
    await pw.page.getByRole('link', { name: 'Sources' }).click();
    await pw.page.getByRole('heading', { level: 1, name: 'Sources' }).waitFor();
    expect(await isOpen()).toBe(false);
    await phone.close();
    expect(pw.errors).toEqual([]);
  });

  it('manages API keys: create (shown once until dismissed), list with last use, revoke (item 24)', async () => {
    const { page } = w;
    await go(page, base, '#/api-keys', 'API keys');
    await page.getByLabel('Name').fill('billing service');
    await page.getByLabel('Tenant (optional)').fill('acme');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const panel = page.locator('.one-time', { hasText: 'Key billing service created' });
    await panel.waitFor();
    const key = (await panel.locator('code.secret').textContent())!;
    expect((await h.request('GET', '/v1/meta/whoami', { key })).body).toMatchObject({ role: 'tenant', tenant: 'acme' });
    const row = page.locator('tr', { hasText: 'billing service' });
    await row.waitFor();
    expect(await row.textContent()).toContain('tenant acme');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await expect.poll(async () => page.locator('tr', { hasText: 'billing service' }).textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}.*Active/s);
    await shot(page, 'usability-api-keys-1366');
    await page.getByRole('button', { name: 'Revoke key billing service' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.locator('tr', { hasText: 'billing service' }).getByText('Revoked').waitFor();
    expect((await h.request('GET', '/v1/meta/whoami', { key })).status).toBe(401);

    // Tenants have no such page.
    const tenantKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme ui', tenant: 'acme' } })).body.key;
    const c = await browser.newContext({ viewport: VIEWPORTS.laptop });
    const tw = watch(await c.newPage());
    await signIn(tw.page, base, tenantKey);
    expect(await tw.page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await tw.page.goto(`${base}/#/api-keys`);
    await tw.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await c.close();
    expect(tw.errors).toEqual([]);
  });

  it('a themed, read-only portal: brand, logo and colour from the link; no control that changes anything (item 24)', async () => {
    const ep = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}/acme-ro`, tenant: 'acme', description: 'Acme read-only view' } })).body.id;
    await h.request('POST', '/v1/events', { body: { type: 'chat.started', tenant: 'acme', data: {} } });
    await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=succeeded`)).body.data.length === 1, 15_000);
    const res = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 300, readOnly: true, theme: { brandName: 'Acme Cloud', primaryColor: '#0f766e', logoUrl: '/favicon.svg' } } });
    const portal = await browser.newContext({ viewport: VIEWPORTS.laptop });
    const pw = watch(await portal.newPage());
    await pw.page.goto(`${base}/portal?token=${res.body.token}#/endpoints/${ep}`);
    await pw.page.getByRole('heading', { level: 1, name: /acme-ro/ }).waitFor();
    expect(await pw.page.locator('.brand').textContent()).toContain('Acme Cloud');
    expect(await pw.page.locator('.brand img.brand-logo').getAttribute('src')).toBe('/favicon.svg');
    expect(await pw.page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe('#0f766e');
    await pw.page.getByText('Read-only', { exact: true }).waitFor();
    // No testing tab (it only sends things); the attempts are there to read, and the filter and
    // transform are shown without their save buttons.
    expect(await pw.page.getByRole('tab').allTextContents()).toEqual(['Overview', 'Attempts', 'Filter & transform', 'Settings']);
    await pw.page.getByRole('tab', { name: 'Attempts' }).click();
    await pw.page.locator('tr[data-delivery]').first().waitFor();
    for (const name of ['Edit', 'Disable', 'Delete…', 'Rotate…', 'Send test event', 'Run diagnosis', 'Force retry']) {
      expect(await pw.page.getByRole('button', { name, exact: true }).or(pw.page.getByRole('link', { name, exact: true })).count(), name).toBe(0);
    }
    expect(await pw.page.locator('main').textContent()).not.toMatch(/\bnull\b/);
    await shot(pw.page, 'usability-portal-read-only-1366');
    await pw.page.goto(`${base}/portal?token=${res.body.token}#/endpoints`);
    await pw.page.getByText('Acme read-only view').waitFor();
    expect(await pw.page.getByRole('link', { name: 'New endpoint' }).count()).toBe(0);
    await pw.page.goto(`${base}/portal?token=${res.body.token}#/endpoints/new`);
    await pw.page.getByRole('heading', { level: 1, name: 'This portal is read-only' }).waitFor();
    await portal.close();
    expect(pw.errors).toEqual([]);
  });

  it('charts: axis text in CSS px at every width, nice y-axis tops, per-endpoint volume, error rate and p95 (item 21)', async () => {
    let n = 0;
    const mixed = await startReceiver((_req, res) => {
      n += 1;
      res.writeHead(n % 4 === 0 ? 503 : 200);
      res.end();
    });
    try {
      const ep = (await h.request('POST', '/v1/endpoints', { body: { url: mixed.url, description: 'Charted', retrySchedule: [0], eventTypes: ['chart.tick'] } })).body.id;
      for (let i = 0; i < 12; i += 1) await h.request('POST', '/v1/events', { body: { type: 'chart.tick', data: { i } } });
      await eventually(async () => {
        const list = await h.request('GET', `/v1/deliveries?endpoint=${ep}&limit=50`);
        return list.body.data.filter((d: { status: string }) => d.status !== 'pending' && d.status !== 'sending').length === 12;
      }, 20_000);
      const { niceScale } = (await import(pathToFileURL(join(process.cwd(), 'web/components/chart.js')).href)) as { niceScale: (max: number, o?: { integer?: boolean }) => { top: number } };

      const fontSizes: Record<string, string[]> = {};
      for (const [name, viewport] of [['phone', VIEWPORTS.phone], ['1366', VIEWPORTS.laptop], ['1920', VIEWPORTS.desktop]] as const) {
        const c = await browser.newContext({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
        const pw = watch(await c.newPage());
        await signIn(pw.page, base, ADMIN_KEY);
        await pw.page.locator('.chart-figure').first().waitFor();
        // The y axis tops out at the nice number just above the highest bar, not the next power of ten.
        const overview = await h.request('GET', '/v1/meta/overview?hours=24');
        const highest = Math.max(...overview.body.buckets.map((b: Record<string, number>) => (b.succeeded ?? 0) + (b.failed ?? 0) + (b.pending ?? 0) + (b.cancelled ?? 0)));
        const ticks = (await pw.page.locator('.chart-figure').first().locator('.chart-y .chart-tick').allTextContents()).map(Number);
        expect(Math.max(...ticks), name).toBe(niceScale(highest, { integer: true }).top);
        await go(pw.page, base, `#/endpoints/${ep}`, mixed.url);
        const traffic = pw.page.locator('.traffic .traffic-chart');
        await expect.poll(() => traffic.count()).toBe(3);
        expect(await traffic.locator('h3').allTextContents()).toEqual(['Volume', 'Error rate', 'p95 latency']);
        // No text inside any SVG: it would scale with the drawing.
        expect(await pw.page.locator('svg text').count(), name).toBe(0);
        fontSizes[name] = await pw.page.locator('.chart-tick').evaluateAll((els) => [...new Set(els.map((e) => getComputedStyle(e).fontSize))]);
        const errorTicks = await traffic.nth(1).locator('.chart-y .chart-tick').allTextContents();
        expect(errorTicks.at(-1), name).toMatch(/%$/);
        expect(await traffic.nth(2).locator('.chart-y .chart-tick').last().textContent(), name).toMatch(/ ms$| s$/);
        // The volume chart's bars add up to the 12 attempts made.
        const label = await traffic.nth(0).locator('svg').getAttribute('aria-label');
        expect(label, name).toContain('12 attempts');
        expect(await pw.page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(viewport.width);
        await shot(pw.page, `usability-endpoint-traffic-${name}`);
        await pw.page.locator('section:has(.traffic)').screenshot({ path: join(SHOTS, `usability-traffic-section-${name}.png`) });
        await c.close();
        expect(pw.errors).toEqual([]);
      }
      // The same text size on a 390 px phone and a 1920 px screen (it used to shrink to 5 px).
      expect(fontSizes.phone).toEqual(fontSizes['1920']);
      expect(fontSizes.phone).toHaveLength(1);
      expect(parseFloat(fontSizes.phone![0]!)).toBeGreaterThanOrEqual(10);
    } finally {
      await mixed.close();
    }
  });

  it('inspects a delivery in a side panel from any list; the endpoint page has tabs (item 22)', async () => {
    const { page } = w;
    const ep = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}/inspected`, description: 'Inspected CRM', eventTypes: ['inspect.me'], retrySchedule: [0, 3600] } })).body.id;
    const event = (await h.request('POST', '/v1/events', { body: { type: 'inspect.me', data: { orderId: 'ord_4711', total: 99.5 } } })).body;
    await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=succeeded`)).body.data.length === 1, 15_000);
    const delivery = (await h.request('GET', `/v1/deliveries?endpoint=${ep}`)).body.data[0];

    const check = async (pg: typeof page, where: string) => {
      const inspect = pg.getByRole('button', { name: `Inspect delivery ${delivery.id}` });
      await inspect.click();
      const panel = pg.getByRole('dialog', { name: new RegExp(delivery.id) });
      await panel.waitFor();
      await panel.locator('.inspector-endpoint').getByText('Inspected CRM').waitFor();
      expect(await panel.locator('.inspector-endpoint').textContent(), where).toContain('/inspected');
      await expect.poll(async () => panel.locator('.code').first().textContent()).toContain('ord_4711');
      expect(await panel.locator('.code').first().textContent(), where).toContain('"type"');
      expect(await panel.locator('.inspector-next').textContent(), where).toBe('—');
      await panel.locator('.timeline-item').first().waitFor();
      return { inspect, panel };
    };

    for (const [name, viewport] of [['1366', VIEWPORTS.laptop], ['1920', VIEWPORTS.desktop], ['phone', VIEWPORTS.phone]] as const) {
      const c = await browser.newContext({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
      const pw = watch(await c.newPage());
      await signIn(pw.page, base, ADMIN_KEY);
      // From the filtered deliveries list: the list, its filters and URL stay as they were.
      await go(pw.page, base, `#/deliveries?endpoint=${ep}`, 'Deliveries');
      const url = pw.page.url();
      const { inspect, panel } = await check(pw.page, `${name} deliveries`);
      await shot(pw.page, `usability-inspector-${name}`);
      expect(pw.page.url()).toBe(url);
      expect(await pw.page.locator(`tr[data-delivery="${delivery.id}"]`).count()).toBe(1);
      await pw.page.keyboard.press('Escape');
      await expect.poll(() => panel.count()).toBe(0);
      expect(await inspect.evaluate((el) => el === document.activeElement), name).toBe(true);
      await c.close();
      expect(pw.errors).toEqual([]);
    }

    // From an event's deliveries, and from the endpoint's attempts tab.
    await go(page, base, `#/events/${event.id}`, 'inspect.me');
    let opened = await check(page, 'event');
    await opened.panel.getByRole('button', { name: 'Close the inspector' }).click();
    await go(page, base, `#/endpoints/${ep}`, /inspected/);
    const tabNames = await page.getByRole('tab').allTextContents();
    expect(tabNames).toEqual(['Overview', 'Attempts', 'Testing', 'Filter & transform', 'Settings']);
    // The overview no longer stacks everything: it is a fraction of the old 2,500 px.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(1400);
    await shot(page, 'usability-endpoint-tabs-overview-1366');
    // Arrow keys move between tabs (WAI-ARIA tabs), and the choice is in the URL.
    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Attempts' }).getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toContain('tab=attempts');
    opened = await check(page, 'endpoint');
    await shot(page, 'usability-endpoint-attempts-inspector-1366');
    await opened.panel.getByRole('button', { name: 'Close the inspector' }).click();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /inspected/ }).waitFor();
    expect(await page.getByRole('tab', { name: 'Attempts' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('End');
    await page.getByRole('tab', { name: 'Attempts' }).focus();
    await page.keyboard.press('End');
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('button', { name: 'Reveal' }).waitFor();
    await shot(page, 'usability-endpoint-tabs-settings-1366');
  });

  it('"Retry all matching" is one server-side task with progress, not a request per delivery (item 23)', async () => {
    const { page } = w;
    let fail = true;
    const flaky = await startReceiver((_req, res) => {
      res.writeHead(fail ? 500 : 204);
      res.end();
    });
    try {
      const ep = (await h.request('POST', '/v1/endpoints', { body: { url: flaky.url, description: 'Bulk target', retrySchedule: [0], eventTypes: ['bulk.ui'] } })).body.id;
      for (let i = 0; i < 6; i += 1) await h.request('POST', '/v1/events', { body: { type: 'bulk.ui', data: { i } } });
      await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=failed`)).body.data.length === 6, 20_000);
      fail = false;
      const calls: string[] = [];
      page.on('request', (r) => {
        if (/\/v1\/(bulk-retries|deliveries\/[^/?]+\/retry)/.test(r.url())) calls.push(`${r.method()} ${new URL(r.url()).pathname}`);
      });
      await go(page, base, `#/deliveries?endpoint=${ep}&status=failed`, 'Deliveries');
      await page.locator('tr[data-delivery]').nth(5).waitFor();
      await page.getByRole('button', { name: 'Retry all matching…' }).click();
      await page.getByRole('dialog').getByText('The filters applied will affect 6 deliveries').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Retry 6' }).click();
      const result = page.locator('.bulk-result');
      await result.waitFor({ timeout: 15_000 });
      expect(await result.getAttribute('data-status')).toBe('completed');
      expect(await result.textContent()).toBe('6 deliveries re-queued.');
      await shot(page, 'usability-bulk-retry-done-1366');
      expect(calls.filter((c) => c.startsWith('POST /v1/bulk-retries'))).toHaveLength(1);
      expect(calls.filter((c) => c.endsWith('/retry'))).toEqual([]);
      await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=succeeded`)).body.data.length === 6, 20_000);
      // Each attempt says what triggered it: the inspector shows the bulk retry's.
      await go(page, base, `#/deliveries?endpoint=${ep}`, 'Deliveries');
      await page.locator('tr[data-delivery] .link-button').first().click();
      const panel = page.getByRole('dialog');
      await expect.poll(async () => panel.locator('.inspector-trigger').textContent(), { timeout: 10_000 }).toBe('bulk');
      expect(await panel.locator('.trigger-tag').allTextContents()).toEqual(['bulk', 'scheduled']);
      await shot(page, 'usability-inspector-trigger-1366');
      await page.keyboard.press('Escape');
    } finally {
      await flaky.close();
    }
  });

  it('logged no console errors in the main session', () => {
    expect(w.errors).toEqual([]);
  });
});
