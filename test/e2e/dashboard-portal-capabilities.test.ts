// The portal page hides what its link's capabilities do not grant (the API refuses it anyway, see
// test/security-portal-capabilities.test.ts): in Chromium, an endpoint's page for a link with `view`
// and `replay` offers no edit, disable, delete, reveal or rotate; a link with everything offers them.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { CHROMIUM, go, launch, signIn, watch, type Watched } from './support/browser.js';

describe.skipIf(!existsSync(CHROMIUM))('portal capabilities in the page (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let endpointId: string;
  const watched: Watched[] = [];

  beforeAll(async () => {
    h = await createHarness({});
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    endpointId = (await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, tenant: 'acme', description: 'Acme CRM', eventTypes: ['never'] } })).body.id;
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function openEndpoint(body: Record<string, unknown>): Promise<Page> {
    const link = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 300, ...body } });
    expect(link.status).toBe(201);
    const w = watch(await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage());
    watched.push(w);
    await w.page.goto(`${base}/portal?token=${encodeURIComponent(link.body.token as string)}#/endpoints/${endpointId}`);
    await w.page.getByText('Acme CRM').first().waitFor();
    return w.page;
  }

  it('a link with view and replay offers no endpoint, secret or transform controls', async () => {
    const page = await openEndpoint({ capabilities: ['view', 'replay'] });
    for (const name of ['Delete…', 'Disable', 'Edit']) expect(await page.getByRole(name === 'Edit' ? 'link' : 'button', { name, exact: true }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByText('Signing secret', { exact: false }).first().waitFor();
    for (const name of ['Reveal', 'Rotate…']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    // The edit page itself says the link cannot do this.
    await page.goto(page.url().replace(/#.*$/, `#/endpoints/${endpointId}/edit`));
    await page.getByRole('heading', { level: 1, name: 'This portal link cannot do this' }).waitFor();
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });

  it('a single-use link opens the portal once: the token leaves the address bar, a reload keeps the session, another browser is refused', async () => {
    const link = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 300 } });
    const url = `${base}/portal?token=${encodeURIComponent(link.body.token as string)}#/endpoints/${endpointId}`;
    // Not in `watched`: the refusals at the end are console errors on purpose; checked before them.
    const w = watch(await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage());
    await w.page.goto(url);
    await w.page.getByText('Acme CRM').first().waitFor();
    expect(w.page.url()).toBe(`${base}/portal#/endpoints/${endpointId}`);
    await w.page.reload();
    await w.page.getByText('Acme CRM').first().waitFor();
    // The original link again in the same tab finds its session.
    await w.page.goto(url);
    await w.page.getByText('Acme CRM').first().waitFor();
    expect(w.errors).toEqual([]);
    // Anyone else with the link (another browser) is told it was used.
    const other = await (await browser.newContext()).newPage();
    await other.goto(url);
    await other.getByText('already been used', { exact: false }).waitFor();
    expect(await other.getByText('Acme CRM').count()).toBe(0);
    // Revoking the link ends the open session: the next call is refused and the page says so.
    expect((await h.request('DELETE', `/v1/portal-links/${link.body.id as string}`)).status).toBe(204);
    await w.page.reload();
    await w.page.getByText('revoked', { exact: false }).first().waitFor();
  });

  it('a link with every capability offers them', async () => {
    const page = await openEndpoint({});
    await page.getByRole('button', { name: 'Delete…', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Rotate…', exact: true }).waitFor();
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });

  it('an admin chooses the capabilities of a new link and can revoke it', async () => {
    const w = watch(await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage());
    watched.push(w);
    const page = w.page;
    await signIn(page, base, ADMIN_KEY);
    await go(page, base, '#/portal-links', 'Tenant portal');
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('Reveal endpoint secrets').uncheck();
    await page.getByLabel('Rotate endpoint secrets').uncheck();
    await page.getByRole('button', { name: 'Create portal link' }).click();
    const url = (await page.locator('.alert-ok code').first().textContent())!;
    // A new link is single-use: its session is what calls the API (and dies with the link).
    const session = await h.request('POST', '/v1/portal/session', { key: `portal_${decodeURIComponent(/token=([^&#]+)/.exec(url)![1]!)}` });
    expect(session.status).toBe(201);
    const key = `portal_${session.body.token as string}`;
    const who = await h.request('GET', '/v1/meta/whoami', { key });
    expect(who.body.portalOptions.capabilities).toEqual(['view', 'manage_endpoints', 'replay', 'manage_transforms']);
    await page.getByRole('button', { name: 'Revoke this link' }).click();
    await page.getByText('Revoked:', { exact: false }).waitFor();
    expect((await h.request('GET', '/v1/meta/whoami', { key })).status).toBe(401);
    expect(watched.flatMap((x) => x.errors)).toEqual([]);
  });
});
