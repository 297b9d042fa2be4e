// Dashboard usability in Chromium at the widths people use (1366 and 1920 px, and a phone): the
// inbound log tells the truth about duplicates, tables fit their box, the doctor's headline names its
// warnings, operational events can be hidden, and the smaller fixes of issue 15. Screenshots of each
// changed page are kept in test-output/screenshots/ (usability-*.png).

import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { go, launch, shot, signIn, VIEWPORTS, watch, type Watched } from './support/browser.js';

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

  it('logged no console errors in the main session', () => {
    expect(w.errors).toEqual([]);
  });
});
