// The dashboard's Request bins pages in Debian's Chromium: create a bin with a secret, send it a
// signed and an unsigned webhook from outside, watch both appear without reloading (body pretty-
// printed, the signature verdict shown), replay one to a loopback receiver, and delete the bin.
// Any console error fails the run.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/signature/standard-webhooks.js';
import { ADMIN_KEY, createHarness, type Harness } from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { CHROMIUM, launch, shot, signIn, watch } from './support/browser.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('dashboard: Request bins (browser)', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let receiver: Receiver;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    h = await createHarness();
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
    receiver = await startReceiver();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.close();
  });

  it('creates a bin, shows captures live with the signature verdict, replays and deletes', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await signIn(page, base, ADMIN_KEY);
    await page.locator('a[data-nav="bins"]').click();
    await page.getByText('No request bins yet.').waitFor();
    await page.locator('input[name="bin-name"]').fill('crm check');
    await page.locator('input[name="bin-secret"]').fill(SECRET);
    await page.getByRole('button', { name: 'Create bin' }).click();
    const url = await page.locator('[data-capture-url]').innerText();
    expect(url).toMatch(/\/bin\/bin_[0-9a-f]{32}$/);
    await page.getByText('Nothing captured yet.').waitFor();

    // From outside the browser, as a provider would; the open page picks them up by itself.
    const body = '{"type":"chat.started","data":{"customer":{"tier":"vip"}}}';
    const ts = Math.floor(Date.now() / 1000);
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([SECRET], 'msg_1', ts, body) }, body });
    await fetch(`${url}/unsigned`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' });
    await expect.poll(() => page.locator('details[data-request]').count(), { timeout: 10_000 }).toBe(2);
    const [unsigned, signed] = await page.locator('details[data-request]').all();
    expect(await signed!.locator('[data-signature]').getAttribute('data-signature')).toBe('ok');
    expect(await unsigned!.locator('[data-signature]').getAttribute('data-signature')).toBe('bad');
    await signed!.locator('summary').click();
    expect(await signed!.locator('[data-body]').innerText()).toContain('"tier": "vip"');
    await shot(page, 'bin-1280');

    await signed!.locator('input[name="replay-url"]').fill(receiver.url);
    await signed!.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => signed!.locator('[data-replay-result]').innerText()).toMatch(/answered 200/);
    expect((await receiver.waitFor(1))[0]!.body.toString()).toBe(body);

    await page.locator('a[data-nav="bins"]').click();
    await page.locator('tr[data-bin] button', { hasText: 'Delete' }).click();
    await page.getByText('No request bins yet.').waitFor();
    expect((await h.request('GET', '/v1/bins')).body.data).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
