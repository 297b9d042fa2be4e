// `hookd migrate`: apply database migrations and exit (they also run automatically on start).

import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { createAesGcmBox } from '../../security/aes-gcm-box.js';
import { loadOrCreateSecretKey } from '../../runtime/secret-key.js';
import { openStore } from '../../runtime/open-store.js';
import { addServerFlags, flagsFrom } from './serve.js';

export function registerMigrate(program: Command): void {
  const cmd = program.command('migrate').description('Apply database migrations and exit');
  addServerFlags(cmd).action(async (opts: Record<string, unknown>) => {
    const config = loadConfig({ flags: flagsFrom(opts), env: process.env, file: (opts.config as string | undefined) ?? process.env.HOOKD_CONFIG });
    const { key } = loadOrCreateSecretKey(config.secretKey, config.dataDir);
    const store = openStore(config.databaseUrl, config.dataDir, createAesGcmBox(key));
    try {
      await store.migrate();
      process.stderr.write(`migrations applied (${store.dialect})\n`);
    } finally {
      await store.close();
    }
  });
}
