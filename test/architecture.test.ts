// The layers are enforced, not hoped for: the lint rule built from scripts/layers.js refuses an
// upward import (shown here on a probe file), the real tree has none, and no two files import each
// other in a circle.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYERS } from '../scripts/layers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const probe = join(root, 'src', 'core', 'zz-layer-probe.ts');

afterAll(() => rmSync(probe, { force: true }));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to repository paths (.js specifiers name .ts sources). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s.replace(/\.js$/, '.ts'))));
}

describe('layers', () => {
  it('every folder of src/ is in exactly one layer', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(LAYERS.flat().sort()).toEqual(folders);
  });

  it('the lint rule refuses an import that runs up the layers', async () => {
    writeFileSync(probe, "import { buildApp } from '../api/server.js';\n\nexport const probe = buildApp;\n");
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([probe]);
    const messages = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toContain('src/core/ may import only lower layers');
  }, 60_000);

  it('no file of src/ imports a folder of its own layer or above', () => {
    const rank = new Map(LAYERS.flatMap((layer, i) => layer.map((f) => [f, i] as const)));
    const upward: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      if (file === probe) continue;
      const from = relative(join(root, 'src'), file).split('/')[0]!;
      for (const target of importsOf(file)) {
        const to = relative(join(root, 'src'), target).split('/')[0]!;
        if (to !== from && rank.has(to) && rank.get(to)! >= rank.get(from)!) upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

describe('import cycles', () => {
  it('no files of src/ import each other in a circle', () => {
    const files = sourceFiles(join(root, 'src')).filter((f) => f !== probe);
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t !== f)]));
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const stack: string[] = [];
    const on = new Set<string>();
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          component.push(relative(root, w));
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(graph.size).toBeGreaterThan(150);
    expect(cycles).toEqual([]);
  });
});
