// The portal page hides what its link's capabilities do not grant (the API refuses it anyway, see
// test/security-portal-capabilities.test.ts): in Chromium, an endpoint's page for a link with `view`
// and `replay` offers no edit, disable, delete, reveal or rotate; a link with everything offers them.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { CHROMIUM, launch, watch, type Watched } from './support/browser.js';

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

  it('a link with every capability offers them', async () => {
    const page = await openEndpoint({});
    await page.getByRole('button', { name: 'Delete…', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Rotate…', exact: true }).waitFor();
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });
});
