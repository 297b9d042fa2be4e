import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, maskConfig } from './load-config.js';

describe('loadConfig', () => {
  it('uses defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.role).toBe('all');
    expect(c.allowPrivate).toEqual([]);
    expect(c.maxBodyBytes).toBe(1024 * 1024);
  });

  it('applies precedence flag > env > file > default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 7000, retentionDays: 7, logLevel: 'warn' }));
    const c = loadConfig({ file, env: { HOOKD_PORT: '7100', HOOKD_RETENTION_DAYS: '9' }, flags: { port: '7200' } });
    expect(c.port).toBe(7200);
    expect(c.retentionDays).toBe(9);
    expect(c.logLevel).toBe('warn');
    expect(loadConfig({ env: { PORT: '9000' } }).port).toBe(9000);
  });

  it.each([
    [{ HOOKD_PORTT: '1' }, /unknown setting HOOKD_PORTT/],
    [{ HOOKD_PORT: 'abc' }, /HOOKD_PORT must be a whole number/],
    [{ HOOKD_PORT: '70000' }, /HOOKD_PORT must be between 0 and 65535/],
    [{ HOOKD_ROLE: 'boss' }, /HOOKD_ROLE must be one of all, api, worker/],
    [{ HOOKD_REQUIRE_HTTPS: 'maybe' }, /HOOKD_REQUIRE_HTTPS must be true or false/],
    [{ HOOKD_ALLOW_PRIVATE: '127.0.0.1/32,banana' }, /HOOKD_ALLOW_PRIVATE: "banana" is not a CIDR range/],
  ])('refuses %j naming the setting', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('refuses unknown config-file keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ file })).toThrow(/unknown setting "prot"/);
  });

  it('refuses a dead-owner bound shorter than two heartbeats', () => {
    expect(() => loadConfig({ env: { HOOKD_HEARTBEAT_MS: '3000', HOOKD_OWNER_DEAD_AFTER_MS: '5000' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { HOOKD_HEARTBEAT_MS: '3000', HOOKD_OWNER_DEAD_AFTER_MS: '5000' } })).toThrow(/HOOKD_OWNER_DEAD_AFTER_MS/);
    expect(loadConfig({ env: { HOOKD_HEARTBEAT_MS: '2500', HOOKD_OWNER_DEAD_AFTER_MS: '5000' } })).toMatchObject({ heartbeatMs: 2500, ownerDeadAfterMs: 5000 });
  });

  it('refuses settings that only work together when they do not fit: each message names both', () => {
    expect(() => loadConfig({ env: { HOOKD_TLS_CERT: '/tmp/c.pem' } })).toThrow(/HOOKD_TLS_CERT.*HOOKD_TLS_KEY/);
    expect(() => loadConfig({ env: { HOOKD_HEADERS_TIMEOUT_MS: '40000' } })).toThrow(/HOOKD_HEADERS_TIMEOUT_MS.*HOOKD_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ env: { HOOKD_SIGNING_KEY_ROTATION_DAYS: '1', HOOKD_SIGNING_KEY_OVERLAP_SECONDS: '86400' } })).toThrow(/HOOKD_KEY_SET_MAX_AGE_SECONDS.*HOOKD_SIGNING_KEY_OVERLAP_SECONDS.*HOOKD_SIGNING_KEY_ROTATION_DAYS/);
    // Rotation off: no bound applies.
    expect(loadConfig({ env: { HOOKD_SIGNING_KEY_ROTATION_DAYS: '0', HOOKD_SIGNING_KEY_OVERLAP_SECONDS: '86400' } }).signingKeyRotationDays).toBe(0);
  });

  it('normalises CIDR lists', () => {
    expect(loadConfig({ env: { HOOKD_ALLOW_PRIVATE: ' 127.0.0.1/32 , ::1/128' } }).allowPrivate).toEqual(['127.0.0.1/32', '::1/128']);
  });

  it('masks secrets', () => {
    const masked = maskConfig(loadConfig({ env: { HOOKD_ADMIN_KEY: 'supersecret', DATABASE_URL: 'postgres://u:pw@db/x' } }));
    expect(JSON.stringify(masked)).not.toContain('supersecret');
    expect(JSON.stringify(masked)).not.toContain(':pw@');
    expect(masked.databaseUrl).toBe('postgres://u:****@db/x');
  });
});
