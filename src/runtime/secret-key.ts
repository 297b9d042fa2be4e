// The key that encrypts secrets at rest: HOOKD_SECRET_KEY, or a key generated on first start into the
// data directory with mode 0600. Losing it makes stored secrets unreadable, so it is never rotated
// silently: an existing file is always reused.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from '../config/load-config.js';

export function parseSecretKey(value: string, origin: string): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b = Buffer.from(text, 'base64');
  if (b.length === 32) return b;
  throw new ConfigError(`${origin} must be 32 bytes written as 64 hex characters or base64`);
}

export function loadOrCreateSecretKey(configured: string, dataDir: string): { key: Buffer; created: boolean; path: string | null } {
  if (configured) return { key: parseSecretKey(configured, 'HOOKD_SECRET_KEY'), created: false, path: null };
  const path = join(dataDir, 'secret.key');
  if (existsSync(path)) return { key: parseSecretKey(readFileSync(path, 'utf8'), path), created: false, path };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // 'wx' fails if another process created the file in the meantime; then we read theirs.
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { key: parseSecretKey(readFileSync(path, 'utf8'), path), created: true, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseSecretKey(readFileSync(path, 'utf8'), path), created: false, path };
    throw err;
  }
}
