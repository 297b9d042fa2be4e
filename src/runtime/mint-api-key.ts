// `hookd keys create --admin --data-dir <dir>`: mint an API key directly in the local database, for
// when no key is at hand (the first start's one-time key was lost, every admin key was revoked).
// Whoever can read the data directory (or DATABASE_URL) already owns the installation, so this needs
// no API key. It refuses to create a database: a typo in --data-dir must not look like success.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import { ConfigError } from '../config/load-config.js';
import { newId } from '../core/ids.js';
import { generateApiKey, hashApiKey } from '../api/api-keys.js';
import { createAesGcmBox } from '../security/aes-gcm-box.js';
import { parseSecretKey } from './secret-key.js';
import { describeDatabase, openStore } from './open-store.js';

export interface MintedKey {
  id: string;
  key: string;
  role: 'admin' | 'tenant';
  tenant: string | null;
  database: string;
}

export async function mintApiKey(config: Config, options: { name?: string | undefined; tenant?: string | undefined; now?: number }): Promise<MintedKey> {
  const db = describeDatabase(config.databaseUrl, config.dataDir);
  if (db.kind === 'sqlite' && !existsSync(db.path)) {
    throw new ConfigError(`no hookd database at ${db.path}: give the data directory hookd serve uses (--data-dir, HOOKD_DATA_DIR) or its DATABASE_URL`);
  }
  // Minting a key touches no sealed secret, so the encryption key is only needed when it exists;
  // a throwaway one is never used to seal anything here.
  const keyFile = join(config.dataDir, 'secret.key');
  const sealKey = config.secretKey ? parseSecretKey(config.secretKey, 'HOOKD_SECRET_KEY') : existsSync(keyFile) ? parseSecretKey(readFileSync(keyFile, 'utf8'), keyFile) : randomBytes(32);
  const store = openStore(config.databaseUrl, config.dataDir, createAesGcmBox(sealKey), 'hookd keys create', config.pgPreparedStatements);
  try {
    await store.migrate();
    const key = generateApiKey();
    const id = newId('apiKey');
    const tenant = options.tenant ?? null;
    const role = tenant === null ? 'admin' : 'tenant';
    await store.insertApiKey({ id, name: options.name ?? (role === 'admin' ? 'admin key minted from the data directory' : null), role, tenant, hash: hashApiKey(key), prefix: key.slice(0, 10), createdAt: options.now ?? Date.now(), revokedAt: null, lastUsedAt: null });
    return { id, key, role, tenant, database: db.kind === 'sqlite' ? db.path : 'PostgreSQL (DATABASE_URL)' };
  } finally {
    await store.close();
  }
}
