// `hookd serve` as a real process: prints the URL and, on first start, the admin key; serves the API;
// exits 0 on SIGTERM.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../bin/hookd.js', import.meta.url).pathname;

function start(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, HOOKD_LOG_LEVEL: 'warn', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const ready = new Promise<{ url: string; stderr: () => string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 20_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m && (stderr.includes('Admin API key') || env.HOOKD_ADMIN_KEY || stderr.split('\n').length > 2)) {
        clearTimeout(timer);
        resolve({ url: m[1]!.replace('localhost', '127.0.0.1'), stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('hookd serve', () => {
  it('prints the URL and the admin key once, serves the API, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-serve-'));
    try {
      const first = start(dir);
      const { url, stderr } = await first.ready;
      const key = /\n\s+(hk_\S+)/.exec(stderr())?.[1];
      expect(key).toBeDefined();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const list = await fetch(`${url}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } });
      expect(list.status).toBe(200);
      expect((await fetch(`${url}/v1/endpoints`)).status).toBe(401);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      // Second start on the same database: no new key is printed; the old one still works.
      const second = start(dir);
      const again = await second.ready;
      await new Promise((r) => setTimeout(r, 300));
      expect(again.stderr()).not.toContain('Admin API key');
      expect((await fetch(`${again.url}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails fast with exit 2 on an invalid setting, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-serve-'));
    try {
      const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dir], { env: { ...process.env, HOOKD_RETENTION_DAYS: 'forever' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(err).toContain('HOOKD_RETENTION_DAYS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
