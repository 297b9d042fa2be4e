// Shared Chromium plumbing for the dashboard tests: launch Debian's Chromium, watch a page for
// console errors, sign in, navigate by hash and keep screenshots under test-output/screenshots/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(process.cwd(), 'test-output', 'screenshots');
/** The widths the issue names: a common laptop, a desktop, and a phone. */
export const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  desktop: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const;

export interface Watched {
  page: Page;
  errors: string[];
  /** Responses with these URL patterns may fail (a page that is expected to show "not found"). */
  allow: RegExp[];
}

export function launch(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function watch(page: Page): Watched {
  page.setDefaultTimeout(10_000);
  const w: Watched = { page, errors: [], allow: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    if (w.allow.some((re) => re.test(url))) return;
    w.errors.push(`${m.text()} ${url}`);
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  return w;
}

export async function shot(page: Page, name: string): Promise<void> {
  // Not 'networkidle': the live stream keeps a request open on purpose.
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function go(page: Page, base: string, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${base}/${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** How far the widest element sticks out of its scroll box: 0 when everything fits. */
export function overflowOf(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    let worst = 0;
    for (const el of document.querySelectorAll(sel)) worst = Math.max(worst, el.scrollWidth - el.clientWidth);
    return worst;
  }, selector);
}
