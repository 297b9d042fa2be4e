// Bound LIMITs in the SQLite adapter are written `LIMIT +@name` (context.ts says why: a bare bound
// LIMIT makes this SQLite build compile the cached statement again on every run). This keeps bare
// ones out, and checks that the written form still limits.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const BARE_LIMIT = /\bLIMIT\s+(@[A-Za-z_]+|\?|\$|:)/g;

it('no SQLite adapter statement binds a bare LIMIT parameter', () => {
  const offenders: string[] = [];
  for (const name of fs.readdirSync(HERE)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    // Comments may name the bare form (context.ts does, to explain it); statements may not.
    const text = fs.readFileSync(path.join(HERE, name), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(BARE_LIMIT)) offenders.push(`${name}: ${m[0]}`);
  }
  expect(offenders).toEqual([]);
});

it('the scan would see one (it is not a check that cannot fail)', () => {
  expect('SELECT 1 LIMIT @limit'.match(BARE_LIMIT)).toHaveLength(1);
  expect('SELECT 1 LIMIT ?'.match(BARE_LIMIT)).toHaveLength(1);
  expect('SELECT 1 LIMIT +@limit'.match(BARE_LIMIT)).toBeNull();
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookd-sql-limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('LIMIT +@name and LIMIT +? limit as the bare forms do, rebinding each run', () => {
  const db = new Database(path.join(dir, 'limits.db'));
  try {
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    for (let n = 1; n <= 20; n++) insert.run(n);
    const named = db.prepare('SELECT n FROM t WHERE n > @after ORDER BY n LIMIT +@limit').pluck();
    const positional = db.prepare('SELECT n FROM t ORDER BY n DESC LIMIT +?').pluck();
    for (const limit of [0, 1, 5, 19, 50]) {
      expect(named.all({ after: 3, limit })).toEqual(Array.from({ length: Math.min(limit, 17) }, (_, i) => i + 4));
      expect(positional.all(limit)).toHaveLength(Math.min(limit, 20));
    }
    // A negative LIMIT means no limit, in both forms.
    expect(named.all({ after: 0, limit: -1 })).toHaveLength(20);
  } finally {
    db.close();
  }
});
