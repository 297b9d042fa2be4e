// `hookd migrate`: apply database migrations and exit (they also run automatically on start).
// `hookd migrate --from <db> --to <db>`: copy a whole installation between stores, e.g. from the
// embedded SQLite file to PostgreSQL (store/transfer/copy-store.ts does the work; this file resolves
// the secret keys and renders progress).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import type { Config } from '../../config/settings.js';
import { createAesGcmBox } from '../../security/aes-gcm-box.js';
import { loadOrCreateSecretKey, parseSecretKey } from '../../runtime/secret-key.js';
import { describeDatabase, openStore } from '../../runtime/open-store.js';
import { copyStore, DEFAULT_TRANSFER_BATCH, type TransferProgress } from '../../store/transfer/copy-store.js';
import type { Store } from '../../store/store.js';
import { addServerFlags, flagsFrom } from './serve.js';

interface MigrateOptions extends Record<string, unknown> {
  from?: string;
  to?: string;
  batchSize?: string;
  json?: boolean;
  secretKeyFile?: string;
  targetSecretKeyFile?: string;
  config?: string;
}

const MIGRATE_SETTINGS = ['databaseUrl', 'dataDir'] as const;

export function registerMigrate(program: Command): void {
  const cmd = program
    .command('migrate')
    .description('Apply database migrations and exit; with --from and --to, copy every table from one database to another')
    .option('--from <db>', 'Copy from this database: sqlite:<path> or postgres://...[?schema=name]')
    .option('--to <db>', 'Copy into this database (created and migrated if needed): sqlite:<path> or postgres://...')
    .option('--batch-size <rows>', `Rows per read and per write transaction (default ${DEFAULT_TRANSFER_BATCH})`)
    .option('--secret-key-file <path>', 'Key the source seals secrets with (default: HOOKD_SECRET_KEY, else secret.key beside a SQLite source, else in --data-dir)')
    .option('--target-secret-key-file <path>', 'Re-seal secrets under this key in the target (default: keep the source key)')
    .option('--json', 'Print a JSON summary on stdout and no progress');
  // Only the settings migrate reads: the listen address, TLS or worker flags would do nothing here.
  addServerFlags(cmd, MIGRATE_SETTINGS).action(async (opts: MigrateOptions) => {
    const config = loadConfig({ flags: flagsFrom(opts), env: process.env, file: opts.config ?? process.env.HOOKD_CONFIG });
    if (opts.from === undefined && opts.to === undefined) {
      await applyMigrations(config);
      return;
    }
    if (!opts.from || !opts.to) cmd.error('hookd migrate: --from and --to go together (or use neither to apply migrations)');
    const batchSize = opts.batchSize === undefined ? DEFAULT_TRANSFER_BATCH : Number(opts.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) cmd.error('hookd migrate: --batch-size must be an integer from 1 to 10000');
    await transfer(config, { ...opts, from: opts.from!, to: opts.to! }, batchSize);
  });
}

async function applyMigrations(config: Config): Promise<void> {
  const { key } = loadOrCreateSecretKey(config.secretKey, config.dataDir);
  const store = openStore(config.databaseUrl, config.dataDir, createAesGcmBox(key), 'hookd', config.pgPreparedStatements);
  try {
    await store.migrate();
    process.stderr.write(`migrations applied (${store.dialect})\n`);
  } finally {
    await store.close();
  }
}

async function transfer(config: Config, opts: MigrateOptions & { from: string; to: string }, batchSize: number): Promise<void> {
  const from = describeDatabase(opts.from, config.dataDir);
  const to = describeDatabase(opts.to, config.dataDir);
  if (from.kind === 'sqlite' && !existsSync(from.path)) throw new Error(`--from: no SQLite database at ${from.path}`);
  const same = from.kind === 'sqlite' && to.kind === 'sqlite' ? resolve(from.path) === resolve(to.path) : opts.from === opts.to;
  if (same) throw new Error('--from and --to name the same database');

  const sourceKey = resolveSourceKey(config, opts, from);
  const sourceBox = createAesGcmBox(sourceKey.key);
  const targetBox = opts.targetSecretKeyFile ? createAesGcmBox(readKeyFile(opts.targetSecretKeyFile)) : sourceBox;

  const source = openStore(opts.from, config.dataDir, sourceBox, 'hookd-migrate', config.pgPreparedStatements);
  let target: Store | null = null;
  const progress = createProgressRenderer(opts.json === true);
  try {
    target = openStore(opts.to, config.dataDir, targetBox, 'hookd-migrate', config.pgPreparedStatements);
    // Both ends on the current schema: the neutral row shape is the current migration's columns.
    await source.migrate();
    await target.migrate();
    const summary = await copyStore(source, target, progress.update, { secrets: { source: sourceBox, target: targetBox }, batchSize });
    progress.finish();
    const result = {
      from: source.dialect,
      to: target.dialect,
      secrets: summary.resealed ? 're-sealed under the target key' : `copied sealed (key: ${sourceKey.origin})`,
      tables: summary.tables,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const copied = summary.tables.reduce((n, t) => n + t.copied, 0);
      const inserted = summary.tables.reduce((n, t) => n + t.inserted, 0);
      const keyHint = summary.resealed
        ? `secrets were re-sealed: run the target with the key in ${opts.targetSecretKeyFile}`
        : `secrets stay sealed with the key from ${sourceKey.origin}: run every hookd on the target with that same key (HOOKD_SECRET_KEY)`;
      process.stderr.write(`copied ${copied} rows from ${source.dialect} to ${target.dialect} (${inserted} new, ${copied - inserted} already there)\n${keyHint}\n`);
    }
  } finally {
    progress.finish();
    await source.close();
    await target?.close();
  }
}

/** The source's key: --secret-key-file, HOOKD_SECRET_KEY, secret.key beside a SQLite source, or in --data-dir. */
function resolveSourceKey(
  config: Config,
  opts: MigrateOptions,
  from: ReturnType<typeof describeDatabase>,
): { key: Buffer; origin: string } {
  if (opts.secretKeyFile) return { key: readKeyFile(opts.secretKeyFile), origin: opts.secretKeyFile };
  if (config.secretKey) return { key: parseSecretKey(config.secretKey, 'HOOKD_SECRET_KEY'), origin: 'HOOKD_SECRET_KEY' };
  const candidates = [...(from.kind === 'sqlite' ? [join(dirname(from.path), 'secret.key')] : []), join(config.dataDir, 'secret.key')];
  for (const path of candidates) if (existsSync(path)) return { key: readKeyFile(path), origin: path };
  throw new Error(`no secret key found (looked at HOOKD_SECRET_KEY, ${candidates.join(', ')}); pass --secret-key-file`);
}

function readKeyFile(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read key file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseSecretKey(text, path);
}

/** A bar per table on a terminal, one line per table otherwise, nothing with --json. */
function createProgressRenderer(json: boolean): { update: (p: TransferProgress) => void; finish: () => void } {
  if (json) return { update: () => undefined, finish: () => undefined };
  if (!process.stderr.isTTY) {
    return {
      update: (p) => {
        if (p.phase === 'done') process.stderr.write(`${p.table}: ${p.copied} rows (${p.inserted} new)\n`);
      },
      finish: () => undefined,
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    update: (p) => {
      if (p.phase === 'start') {
        stop();
        bar = new cliProgress.SingleBar(
          { format: '{table} |{bar}| {value}/{total} rows ({inserted} new)', stream: process.stderr, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { table: p.table.padEnd(16), inserted: 0 });
        return;
      }
      bar?.update(p.copied, { inserted: p.inserted });
      if (p.phase === 'done') stop();
    },
    finish: stop,
  };
}
