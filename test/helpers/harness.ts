// Builds a real hookd runtime for a test: a fresh SQLite file in a temp dir, loopback opened in the
// SSRF policy, a known admin key. Requests go through app.inject() (no socket) unless a test listens.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/settings.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/create-runtime.js';

export const ADMIN_KEY = 'hk_test_admin_key_0123456789';

export interface Harness {
  runtime: Runtime;
  dir: string;
  /** inject with the admin key unless `key` is given (null: no Authorization header). */
  request(method: string, url: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string>; rawBody?: string | Buffer }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

export async function createHarness(overrides: Partial<Config> & { env?: Record<string, string> } = {}, extra: Partial<RuntimeOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-test-'));
  const { env, ...rest } = overrides;
  const config = {
    ...loadConfig({ env: { HOOKD_ALLOW_PRIVATE: '127.0.0.0/8,::1/128', HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_DATA_DIR: dir, HOOKD_LOG_LEVEL: 'silent', HOOKD_POLL_INTERVAL_MS: '50', HOOKD_SHUTDOWN_GRACE_MS: '1000', HOOKD_VALIDATE_RESPONSES: 'true', ...env } }),
    ...rest,
  } as Config;
  const runtime = await createRuntime({ config, logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), ...extra });
  return {
    runtime,
    dir,
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? ADMIN_KEY : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let payload: string | Buffer | undefined;
      if (options.rawBody !== undefined) payload = options.rawBody;
      else if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await runtime.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
      let body: unknown = null;
      try {
        body = res.body ? JSON.parse(res.body) : null;
      } catch {
        body = null;
      }
      return { status: res.statusCode, body, headers: res.headers as Record<string, unknown>, text: res.body };
    },
    async close() {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
