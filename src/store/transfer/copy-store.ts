// Copy an installation from one store to another (SQLite -> PostgreSQL and back), table by table in
// dependency order, in keyset-paginated batches, through the Store contract only.
//
// Secrets: sealed columns are copied as ciphertext when both sides use the same SecretBox (the usual
// case: the target gets the same HOOKD_SECRET_KEY). Every sealed value is still opened once on the
// way, so a wrong key fails the copy at the first endpoint instead of leaving a target whose secrets
// nobody can read. With a different target box, values are opened and re-sealed in memory.
//
// Re-running is safe: rows already present (by primary key) are skipped, so an interrupted copy can be
// resumed by running it again. Rows changed in the source after they were copied are not updated:
// stop every hookd process on the source before copying.

import type { SecretBox } from '../../core/secret-box.js';
import type { Store } from '../store.js';
import { TRANSFER_TABLES, type TransferRow, type TransferTable, type TransferTableSpec } from '../transfer-tables.js';

export const DEFAULT_TRANSFER_BATCH = 500;

export interface TransferProgress {
  table: TransferTable;
  phase: 'start' | 'batch' | 'done';
  /** Rows of this table in the source when it started. */
  total: number;
  /** Rows read from the source so far. */
  copied: number;
  /** Rows that were new in the target (the rest existed already). */
  inserted: number;
}

export interface CopyOptions {
  /**
   * The boxes the source's sealed values open with and the target's must open with (the same object
   * means "same key": ciphertext is copied as is, after checking it opens). Without them, sealed values
   * are copied unchecked: only for callers that know both stores share one key (tests).
   */
  secrets?: { source: SecretBox; target: SecretBox };
  batchSize?: number;
}

export interface CopySummary {
  tables: Array<{ table: TransferTable; copied: number; inserted: number; sourceCount: number; targetCount: number }>;
  resealed: boolean;
}

export class TransferError extends Error {
  override readonly name = 'TransferError';
}

export async function copyStore(
  from: Store,
  to: Store,
  onProgress: (progress: TransferProgress) => void,
  options: CopyOptions = {},
): Promise<CopySummary> {
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? DEFAULT_TRANSFER_BATCH));
  const reseal = options.secrets !== undefined && options.secrets.source !== options.secrets.target;
  const summary: CopySummary = { tables: [], resealed: reseal };

  for (const spec of TRANSFER_TABLES) {
    const total = await from.countRows(spec.name);
    const progress: TransferProgress = { table: spec.name, phase: 'start', total, copied: 0, inserted: 0 };
    onProgress({ ...progress });
    // Read the next page while the current one is written (helps when both ends are remote).
    let next: Promise<{ rows: TransferRow[]; nextKey: string | null }> | null = from.exportRows(spec.name, null, batchSize);
    // Keysets always advance, so this bound only trips on a broken adapter; it keeps the loop finite.
    for (let guard = 0; next !== null && guard <= total / batchSize + 2; guard += 1) {
      const page: { rows: TransferRow[]; nextKey: string | null } = await next;
      next = page.nextKey === null ? null : from.exportRows(spec.name, page.nextKey, batchSize);
      if (page.rows.length === 0) continue;
      const rows = options.secrets ? prepareSecrets(spec, page.rows, options.secrets, reseal) : page.rows;
      progress.inserted += await to.importRows(spec.name, rows);
      progress.copied += page.rows.length;
      onProgress({ ...progress, phase: 'batch' });
    }
    if (next !== null) throw new TransferError(`${spec.name}: the source kept returning rows past its row count; is something writing to it?`);
    const targetCount = await to.countRows(spec.name);
    // Every source row is in the target (inserted now or found by primary key), so the target can
    // only hold more; fewer means rows were lost on the way.
    if (targetCount < progress.copied) {
      throw new TransferError(`${spec.name}: copied ${progress.copied} rows but the target holds only ${targetCount}`);
    }
    onProgress({ ...progress, phase: 'done' });
    summary.tables.push({ table: spec.name, copied: progress.copied, inserted: progress.inserted, sourceCount: total, targetCount });
  }
  return summary;
}

function prepareSecrets(
  spec: TransferTableSpec,
  rows: TransferRow[],
  boxes: { source: SecretBox; target: SecretBox },
  reseal: boolean,
): TransferRow[] {
  const sealed = spec.columns.filter((c) => c.sealed);
  if (sealed.length === 0) return rows;
  return rows.map((row) => {
    const out: TransferRow = { ...row };
    for (const column of sealed) {
      const value = row[column.name];
      if (typeof value !== 'string') continue;
      let plain: string;
      try {
        plain = boxes.source.open(value);
      } catch {
        throw new TransferError(
          `${spec.name} ${String(row[spec.primaryKey])}: ${column.name} does not open with the source's secret key. ` +
            'Use the key the source installation runs with (HOOKD_SECRET_KEY, or secret.key in its data directory).',
        );
      }
      if (reseal) out[column.name] = boxes.target.seal(plain);
    }
    return out;
  });
}
