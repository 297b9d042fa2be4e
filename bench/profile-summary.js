// Summarise a V8 .cpuprofile (from node --cpu-prof) without external tools: self time per function
// (samples attributed to the frame on top of the stack), aggregated by function name and location,
// plus totals per package (node_modules/<name>, node: internals, hookd's own dist/ files).
//
//   node bench/profile-summary.js <file.cpuprofile | directory> [--top N]

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const target = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--top');
if (!target) {
  process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile | directory> [--top N]\n');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f))
  : [target];
if (files.length === 0) {
  process.stderr.write(`no .cpuprofile in ${target}\n`);
  process.exit(1);
}

const ROOT = new URL('../', import.meta.url).pathname;

function where(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith('/') ? relative(ROOT, path) : path;
}

function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/')) return 'hookd (dist/)';
  return where(url);
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const pkg = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const key = `${name}  ${where(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(callFrame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(`\n${relative(process.cwd(), file)}: ${(total / 1e6).toFixed(2)} s sampled\n\nTop self time by function:\n`);
  for (const [key, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
  process.stdout.write('\nSelf time by package:\n');
  for (const [key, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
}
