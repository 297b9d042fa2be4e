import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A fresh clone must pass `npm install && npm test`: no test, script or source file may read a file
// outside the repository (the project once read its test vectors from a sibling folder).
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const scanned = ['src', 'test', 'scripts', 'bench', 'bin'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(path);
  }
  return out;
}

describe('the repository is self-contained', () => {
  it('resolves every file URL relative to a module inside the repository', () => {
    const escapes: string[] = [];
    for (const dir of scanned) {
      for (const file of sourceFiles(join(root, dir))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/new URL\(\s*['"`](\.{1,2}\/[^'"`$]*)['"`]\s*,\s*import\.meta\.url/g)) {
          const target = resolve(join(file, '..'), match[1] ?? '');
          if (target !== root && !target.startsWith(root + sep)) escapes.push(`${relative(root, file)}: ${match[1] ?? ''}`);
        }
        if (/\.\.\/\.\.\/shared\//.test(text) || /['"`]\.\.\/shared\/vectors/.test(text)) escapes.push(`${relative(root, file)}: shared/`);
      }
    }
    expect(escapes).toEqual([]);
  });
});
