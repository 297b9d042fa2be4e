// The WAL checkpoint worker of a busy SQLite store: it copies committed pages into the database file
// while the store keeps writing, and close() stops it cleanly.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { createAesGcmBox } from '../../security/aes-gcm-box.js';
import { createSqliteStore } from './sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookd-checkpointer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** mxFrame and nBackfill from the WAL-index header (SQLite file format, section 4.5; little-endian here). */
function walState(file: string): { frames: number; backfilled: number } {
  const shm = fs.readFileSync(`${file}-shm`);
  return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('checkpoints a busy store from a worker thread, and stops with close()', async () => {
  const file = path.join(dir, 'hookd.db');
  const secretBox = createAesGcmBox(randomBytes(32));
  const store = createSqliteStore({ path: file, secretBox });
  await store.migrate();
  const publish = () =>
    store.publishEvents([
      { id: newId('event'), type: 'x.y', tenant: null, payload: '{}', rawBody: null, idempotencyKey: null, requestHash: null, sourceId: null, createdAt: 1, deliveryIds: () => newId('delivery') },
    ]);
  // A few hundred small commits: far below the 1000 pages at which SQLite would checkpoint inside
  // a commit, so whatever gets backfilled was copied by the worker.
  for (let i = 0; i < 250; i += 1) await publish();
  await until(() => walState(file).frames > 0 && walState(file).backfilled === walState(file).frames);
  // It keeps up with later writes too (the log restarts, then fills and is copied again).
  for (let i = 0; i < 20; i += 1) await publish();
  await until(() => walState(file).backfilled === walState(file).frames);

  await store.close();
  const reopened = createSqliteStore({ path: file, secretBox });
  expect(await reopened.lastEventSeq()).toBe(270);
  await reopened.close();
});
