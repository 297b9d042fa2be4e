#!/usr/bin/env node
// Compile src/ into dist/ and record what was compiled in dist/.build-stamp.json.
//
//   node scripts/build.js             always compile (npm run build)
//   node scripts/build.js --if-stale  compile only when a source changed since the last build (npm start)
//   node scripts/build.js --clean     empty dist/ first, then compile (npm pack: no stale files shipped)
//
// `npm start` used to re-run the compiler every time (about 12 s). The stamp lists every input file
// with its size and mtime, so an edit, a new file and a deleted file all count as a change; a build
// that fails leaves no stamp, so the next start tries again. Plain JavaScript: it runs before
// anything is compiled.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampPath = join(dist, '.build-stamp.json');
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function listSources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Mirrors tsconfig.build.json's exclude: tests and the conformance suite are not compiled into dist/.
    if (entry.isDirectory()) {
      if (entry.name !== 'conformance') out.push(...listSources(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every input of the build with its size and mtime: the fingerprint the stamp stores. */
function buildInputs() {
  const files = [...listSources(join(root, 'src')), ...CONFIG_FILES.map((name) => join(root, name)).filter((path) => existsSync(path))];
  return files
    .map((path) => {
      const stat = statSync(path);
      return `${relative(root, path)}:${stat.size}:${Math.floor(stat.mtimeMs)}`;
    })
    .sort();
}

function isUpToDate(inputs) {
  if (!existsSync(stampPath) || !existsSync(join(dist, 'cli', 'main.js'))) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    return Array.isArray(stamp.inputs) && stamp.inputs.length === inputs.length && stamp.inputs.every((line, i) => line === inputs[i]);
  } catch {
    return false;
  }
}

function compile() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

const args = new Set(process.argv.slice(2));
const inputs = buildInputs();
if (args.has('--if-stale') && isUpToDate(inputs)) {
  process.stderr.write('hookd: dist/ is up to date (no source changed since the last build)\n');
  process.exit(0);
}
if (args.has('--clean')) rmSync(dist, { recursive: true, force: true });
if (args.has('--if-stale')) process.stderr.write('hookd: sources changed since the last build, compiling...\n');
rmSync(stampPath, { force: true });
const status = compile();
if (status !== 0) process.exit(status);
mkdirSync(dist, { recursive: true });
writeFileSync(stampPath, `${JSON.stringify({ builtAt: new Date().toISOString(), inputs }, null, 1)}\n`);
