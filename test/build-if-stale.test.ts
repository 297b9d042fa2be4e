// `npm start` builds once and then only when a source changed (scripts/build.js --if-stale, run by
// `prestart`). Exercised on a tiny project with the repository's build script and compiler settings,
// so each compile takes about a second instead of the whole tree's twelve.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
let root = '';

async function build(...args: string[]): Promise<{ code: number; stderr: string }> {
  return exec(process.execPath, [join(root, 'scripts', 'build.js'), ...args], { cwd: root, timeout: 60_000 }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (err: { code?: number; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : 1, stderr: err.stderr ?? '' }),
  );
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hookd-build-'));
  for (const name of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.js']) cpSync(join(repo, name), join(root, name), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), "export const main = 'cli';\n");
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('scripts/build.js --if-stale', () => {
  it('compiles the first time, then not again until a source is edited, added or deleted', async () => {
    const first = await build('--if-stale');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('compiling');
    expect(existsSync(join(root, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist', '.build-stamp.json'))).toBe(true);
    const builtAt = statSync(join(root, 'dist', 'a.js')).mtimeMs;

    const second = await build('--if-stale');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('up to date');
    expect(statSync(join(root, 'dist', 'a.js')).mtimeMs).toBe(builtAt);

    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 22;\n');
    expect((await build('--if-stale')).stderr).toContain('compiling');
    expect(readFileSync(join(root, 'dist', 'a.js'), 'utf8')).toContain('22');
    expect((await build('--if-stale')).stderr).toContain('up to date');

    writeFileSync(join(root, 'src', 'b.ts'), 'export const b = 2;\n');
    expect((await build('--if-stale')).stderr).toContain('compiling');
    expect(existsSync(join(root, 'dist', 'b.js'))).toBe(true);

    rmSync(join(root, 'src', 'b.ts'));
    expect((await build('--if-stale')).stderr).toContain('compiling');
    expect((await build('--if-stale')).stderr).toContain('up to date');

    // A test file beside the sources is not compiled into dist/, so it is no reason to rebuild.
    writeFileSync(join(root, 'src', 'a.test.ts'), 'export const t = 1;\n');
    expect((await build('--if-stale')).stderr).toContain('up to date');
  });

  it('leaves no stamp after a failed compile, so the next start tries again', async () => {
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a: number = "not a number";\n');
    expect((await build('--if-stale')).code).not.toBe(0);
    expect(existsSync(join(root, 'dist', '.build-stamp.json'))).toBe(false);
    const again = await build('--if-stale');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('compiling');

    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 3;\n');
    expect((await build('--if-stale')).code).toBe(0);
    expect((await build('--if-stale')).stderr).toContain('up to date');
  });

  it('--clean empties dist/ before compiling, so a packed tarball holds no stale files', async () => {
    writeFileSync(join(root, 'dist', 'left-over.js'), 'stale');
    expect((await build('--clean')).code).toBe(0);
    expect(existsSync(join(root, 'dist', 'left-over.js'))).toBe(false);
    expect(existsSync(join(root, 'dist', 'a.js'))).toBe(true);
  });
});
