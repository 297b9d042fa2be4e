// End-to-end: a real hookd server with the dashboard, real loopback receivers, and Debian's Chromium
// driven by playwright-core. Walks the flows a user has: sign in, create an endpoint, send a test
// event and read the attempt, retry a delivery, diagnose a broken endpoint, recover failed
// deliveries, inbound sources, the tenant portal, and tenant isolation. Any console error fails the
// run; every page is saved as a screenshot (laptop and phone) in test-output/screenshots/.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { CHROMIUM, go as goTo, launch, shot, signIn as signInAs, watch, type Watched } from './support/browser.js';

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('dashboard (browser)', () => {
  const notes: string[] = [];
  let h: Harness;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let w: Watched;
  let good: Receiver;
  let flaky: Receiver;
  let brokenUrl: string;
  let features = { doctor: false, sources: false };
  let acmeEndpoint: string;
  let globexEndpoint: string;
  let acmeKey: string;
  let createdEndpointId = '';

  const go = (page: Page, hash: string, heading: string | RegExp) => goTo(page, base, hash, heading);
  const signIn = (page: Page, key: string) => signInAs(page, base, key);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    // The runtime registers the dashboard, doctor and inbound modules itself.
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;

    // Portal tokens are accepted by the API authenticator (a tenant principal).
    const probe = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 300, singleUse: false } });
    expect((await h.request('GET', '/v1/meta/whoami', { key: `portal_${probe.body.token}` })).status).toBe(200);

    good = await startReceiver();
    flaky = await startReceiver((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"database unavailable"}');
    });
    const gone = await startReceiver();
    brokenUrl = gone.url; // nothing listens there once it is closed: connection_refused
    await gone.close();

    await h.request('PUT', '/v1/event-types/chat.started', {
      body: { description: 'A customer started a chat.', schema: { type: 'object', required: ['chatId'], properties: { chatId: { type: 'string' }, channel: { type: 'string' } } }, example: { chatId: 'c_123', channel: 'web' } },
    });
    await h.request('PUT', '/v1/event-types/payment.completed', { body: { description: 'A payment went through.', example: { amount: 1200, currency: 'EUR' } } });
    acmeEndpoint = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}?tenant=acme`, tenant: 'acme', description: 'Acme CRM' } })).body.id;
    globexEndpoint = (await h.request('POST', '/v1/endpoints', { body: { url: `${good.url}?tenant=globex`, tenant: 'globex', description: 'Globex CRM' } })).body.id;
    acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme portal', tenant: 'acme' } })).body.key;

    const who = await h.request('GET', '/v1/meta/whoami');
    features = who.body.features;
    expect(features).toMatchObject({ doctor: true, sources: true });

    browser = await launch();
    ctx = await browser.newContext({ viewport: LAPTOP });
    w = watch(await ctx.newPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await good?.close();
    await flaky?.close();
    await h?.close();
    if (notes.length) console.info(`dashboard e2e notes:\n- ${notes.join('\n- ')}`);
  });

  it('serves the app with a strict CSP and no inline script', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/no-such-file.js`)).status).toBe(404);
  });

  it('signs in with an admin key and shows the overview', async () => {
    const { page } = w;
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Key not accepted').waitFor();
    w.errors.length = 0; // the rejected sign-in's 401 is the expected outcome of that attempt
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('.stat-label', { hasText: 'Success rate' }).waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
    await shot(page, 'laptop-overview');
  });

  it('creates an endpoint with the form', async () => {
    const { page } = w;
    await go(page, '#/endpoints/new', 'New endpoint');
    await page.getByLabel('URL', { exact: true }).fill(good.url);
    await page.getByLabel('Description').fill('Support CRM');
    await page.getByLabel('Only the types I choose').check();
    await page.getByLabel('chat.started').check();
    await page.getByLabel('Type', { exact: true }).selectOption('bearer');
    await page.getByLabel('Bearer token').fill('crm-token-123');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header name').fill('x-source');
    await page.getByLabel('Header value').fill('hookd-e2e');
    await page.getByLabel('Retry schedule (seconds after each attempt)').fill('0, 1');
    await shot(page, 'laptop-endpoint-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: good.url }).waitFor();
    createdEndpointId = /#\/endpoints\/([^/?]+)/.exec(page.url())![1]!;
    const stored = await h.request('GET', `/v1/endpoints/${createdEndpointId}`);
    expect(stored.body).toMatchObject({ url: good.url, description: 'Support CRM', eventTypes: ['chat.started'], auth: { type: 'bearer' }, headers: { 'x-source': 'hookd-e2e' }, retrySchedule: [0, 1] });
  });

  it('reveals the signing secret', async () => {
    const { page } = w;
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(async () => page.locator('code.secret').textContent()).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const secret = await h.request('GET', `/v1/endpoints/${createdEndpointId}/secret`);
    expect(await page.locator('code.secret').textContent()).toBe(secret.body.secret);
  });

  it('sends a test event and shows the attempt', async () => {
    const { page } = w;
    const before = good.requests.length;
    await page.getByRole('tab', { name: 'Testing' }).click();
    await page.getByLabel('Event type').selectOption('chat.started');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.locator('.test-result');
    await result.getByText('HTTP 200').waitFor();
    await expect.poll(() => good.requests.length).toBe(before + 1);
    const sent = good.requests[before]!;
    expect(sent.headers.authorization).toBe('Bearer crm-token-123');
    expect(JSON.parse(sent.body.toString()).data).toEqual({ chatId: 'c_123', channel: 'web' });
    // Request headers are shown with credentials redacted.
    await expect.poll(async () => result.locator('table.headers').first().textContent()).toContain('[redacted]');
    await shot(page, 'laptop-endpoint-detail');
  });

  it('retries a delivery from its page and the new attempt appears live', async () => {
    const { page } = w;
    const before = good.requests.length;
    await page.getByRole('link', { name: 'Open delivery' }).click();
    await page.getByRole('heading', { level: 1, name: /^Delivery dlv_/ }).waitFor();
    await page.locator('.timeline-item').first().waitFor();
    expect(await page.locator('.timeline-item').count()).toBe(1);
    await page.getByRole('button', { name: /^Force retry delivery/ }).click();
    await expect.poll(() => page.locator('.timeline-item').count(), { timeout: 10_000 }).toBe(2);
    expect(good.requests.length).toBe(before + 1);
    await page.getByText('What happened:').first().waitFor();
    await shot(page, 'laptop-delivery-detail');
  });

  it('runs the doctor on a broken endpoint and shows the diagnosis', async () => {
    const { page } = w;
    const broken = (await h.request('POST', '/v1/endpoints', { body: { url: brokenUrl, description: 'Broken receiver' } })).body.id;
    await go(page, `#/endpoints/${broken}?tab=testing`, brokenUrl);
    await page.getByRole('button', { name: 'Run diagnosis' }).click();
    const report = page.locator('.doctor');
    await report.waitFor({ timeout: 20_000 });
    await report.getByText('Diagnosis:').waitFor();
    await expect.poll(async () => report.locator('.alert code').first().textContent()).toBe('connection_refused');
    expect(await report.locator('.step-fail').count()).toBeGreaterThan(0);
    await shot(page, 'laptop-doctor');
    await h.request('DELETE', `/v1/endpoints/${broken}`);
  });

  it('recovers failed deliveries after a confirmation that states how many', async () => {
    const { page } = w;
    const ep = (await h.request('POST', '/v1/endpoints', { body: { url: flaky.url, description: 'Billing', eventTypes: ['payment.completed'], retrySchedule: [0] } })).body.id;
    for (let i = 0; i < 2; i++) await h.request('POST', '/v1/events', { body: { type: 'payment.completed', data: { amount: 100 + i, currency: 'EUR' } } });
    await eventually(async () => {
      const list = await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=failed`);
      return list.body.data.length === 2;
    }, 20_000);

    // Bulk retry by filter states the count, and can be cancelled.
    await go(page, `#/deliveries?endpoint=${ep}&status=failed`, 'Deliveries');
    await page.locator(`tr[data-delivery]`).nth(1).waitFor();
    await page.getByRole('button', { name: 'Retry all matching…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The filters applied will affect 2 deliveries').waitFor();
    await shot(page, 'laptop-deliveries-bulk-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    flaky.respond((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    await go(page, `#/endpoints/${ep}?tab=settings`, flaky.url);
    await page.getByRole('button', { name: 'Recover…' }).click();
    await page.getByRole('dialog').getByText('This re-queues 2 deliveries').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Recover 2 deliveries' }).click();
    await page.locator('.toast', { hasText: '2 deliveries re-queued.' }).waitFor();
    await eventually(async () => (await h.request('GET', `/v1/deliveries?endpoint=${ep}&status=succeeded`)).body.data.length === 2, 20_000);
  });

  it('shows events with highlighted payloads, their deliveries, and pull beside push', async () => {
    const { page } = w;
    await go(page, '#/events', 'Events');
    await page.locator('tbody tr').first().waitFor();
    await shot(page, 'laptop-events');
    // A live event arrives on the first page without a reload.
    const rowsBefore = await page.locator('tbody tr').count();
    const published = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 'live-1', channel: '<script>alert(1)</script>' } } });
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 10_000 }).toBe(rowsBefore + 1);
    await page.locator(`a[href="#/events/${published.body.id}"]`).click();
    await page.getByRole('heading', { level: 1, name: 'chat.started' }).waitFor();
    await page.locator('.j-key').first().waitFor();
    // The payload's markup is shown as text, never parsed.
    expect(await page.locator('.code .j-str', { hasText: '<script>' }).count()).toBe(1);
    expect(await page.locator('.code script').count()).toBe(0);
    await page.locator('tr[data-delivery]').first().waitFor();
    await shot(page, 'laptop-event-detail');

    await go(page, '#/pull-vs-push', 'Pull vs push');
    await page.locator('.live[data-state="live"]').waitFor();
    await page.getByRole('button', { name: 'Stop polling' }).waitFor();
    await page.waitForTimeout(300);
    await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 'pull-1' } } });
    const row = page.locator('tbody tr').first();
    await expect.poll(async () => row.textContent(), { timeout: 15_000 }).toMatch(/\+\d+ ms.*HTTP 200/s);
    await shot(page, 'laptop-pull-vs-push');
  });

  it('shows the event type catalogue and the deliveries list', async () => {
    const { page } = w;
    await go(page, '#/event-types', 'Event types');
    await page.getByText('A customer started a chat.').waitFor();
    await shot(page, 'laptop-event-types');
    await go(page, '#/deliveries', 'Deliveries');
    await page.locator('tr[data-delivery]').first().waitFor();
    await shot(page, 'laptop-deliveries');
    await go(page, '#/endpoints', 'Endpoints');
    await page.getByText('Support CRM').waitFor();
    await shot(page, 'laptop-endpoints');
  });

  it('creates a source and shows rejected requests with the reason', async () => {
    const { page } = w;
    await go(page, '#/sources', 'Sources');
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name').fill('partner-crm');
    await page.getByLabel('Event type').fill('chat.started');
    await page.getByRole('button', { name: 'Create source' }).click();
    const created = page.locator('.alert-ok');
    await created.getByText('Source partner-crm created').waitFor();
    const ingress = (await created.locator('.ingress code').textContent())!;
    expect(ingress).toMatch(/\/in\/src_/);
    const answer = await fetch(ingress, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chatId":"x"}' });
    expect(answer.status).toBe(401);
    await created.getByRole('link', { name: /Open the source/ }).click();
    await page.getByRole('heading', { level: 1, name: 'partner-crm' }).waitFor();
    await page.locator('.req-rejected').first().waitFor();
    expect(await page.locator('.req-rejected .req-reason').first().textContent()).toMatch(/\S/);
    await shot(page, 'laptop-source-detail');
    await go(page, '#/sources', 'Sources');
    await shot(page, 'laptop-sources');
  });

  it('creates a tenant portal link that opens a tenant-scoped, embeddable dashboard', async () => {
    const { page } = w;
    await go(page, '#/portal-links', 'Tenant portal');
    await page.getByLabel('Tenant').fill('acme');
    await page.getByRole('button', { name: 'Create portal link' }).click();
    const url = (await page.locator('.alert-ok code').first().textContent())!;
    expect(url).toMatch(/\/portal\?token=/);
    await shot(page, 'laptop-portal-links');

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect((await fetch(url.replace(/token=[^&]+/, 'token=v1.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(401);

    const portalCtx = await browser.newContext({ viewport: LAPTOP });
    const pw = watch(await portalCtx.newPage());
    await pw.page.goto(`${url}#/endpoints`);
    await pw.page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await pw.page.getByText('Tenant: acme').waitFor();
    await pw.page.getByText('Acme CRM').waitFor();
    expect(await pw.page.getByText('Globex CRM').count()).toBe(0);
    expect(await pw.page.getByRole('link', { name: 'Tenant portal' }).count()).toBe(0);
    await shot(pw.page, 'laptop-portal');
    // Alerts and request bins are never portal actions: neither link is shown, nor the page served.
    expect(await pw.page.locator('a[data-nav="alerts"], a[data-nav="bins"]').count()).toBe(0);
    await pw.page.goto(`${url}#/bins`);
    await pw.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    await portalCtx.close();
    expect(pw.errors).toEqual([]);
  });

  it("a tenant key cannot see another tenant's endpoints", async () => {
    const tenantCtx = await browser.newContext({ viewport: LAPTOP });
    const tw = watch(await tenantCtx.newPage());
    await signIn(tw.page, acmeKey);
    await go(tw.page, '#/endpoints', 'Endpoints');
    await tw.page.getByText('Acme CRM').waitFor();
    expect(await tw.page.getByText('Globex CRM').count()).toBe(0);
    expect(await tw.page.getByText('Support CRM').count()).toBe(0);
    // Going straight to the other tenant's endpoint is a 404, shown as "Not found".
    tw.allow.push(new RegExp(`/v1/endpoints/${globexEndpoint}$`));
    await tw.page.goto(`${base}/#/endpoints/${globexEndpoint}`);
    await tw.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    await go(tw.page, `#/endpoints/${acmeEndpoint}`, /tenant=acme/);
    await shot(tw.page, 'laptop-tenant-endpoint');
    await tenantCtx.close();
    expect(tw.errors).toEqual([]);
  });

  it('lays out every page on a phone', async () => {
    const phoneCtx = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const pw = watch(await phoneCtx.newPage());
    await signIn(pw.page, ADMIN_KEY);
    const pages: Array<[string, string | RegExp]> = [
      ['overview', 'Overview'],
      ['endpoints', 'Endpoints'],
      [`endpoints/${createdEndpointId}`, good.url],
      ['events', 'Events'],
      ['pull-vs-push', 'Pull vs push'],
      ['deliveries', 'Deliveries'],
      ['event-types', 'Event types'],
      ['sources', 'Sources'],
    ];
    for (const [hash, heading] of pages) {
      await go(pw.page, `#/${hash}`, heading);
      await pw.page.waitForTimeout(200);
      // Nothing may widen the page past the screen (tables scroll inside their own box).
      expect(await pw.page.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(PHONE.width);
      await shot(pw.page, `phone-${hash.split('/')[0]}${hash.includes('/') ? '-detail' : ''}`);
    }
    await pw.page.getByRole('button', { name: 'Menu' }).click();
    await pw.page.getByRole('link', { name: 'Deliveries' }).click();
    await pw.page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    await phoneCtx.close();
    expect(pw.errors).toEqual([]);
  });

  it('logged no console errors in the main session', () => {
    expect(w.errors).toEqual([]);
  });
});
