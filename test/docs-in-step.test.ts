// The generated docs must match the registries they are generated from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from '../src/config/config-doc.js';
import { renderErrorsDoc } from '../src/api/errors-doc.js';
import { API_ERROR_CODES } from '../src/core/error-codes.js';
import { ATTEMPT_CODES } from '../src/core/attempt-codes.js';
import { SETTINGS } from '../src/config/settings.js';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

describe('generated docs', () => {
  it('docs/errors.md lists every code of both registries (run `npm run docs` when this fails)', () => {
    const doc = read('docs/errors.md');
    expect(doc).toBe(renderErrorsDoc());
    for (const code of [...Object.keys(API_ERROR_CODES), ...Object.keys(ATTEMPT_CODES)]) expect(doc).toContain(`\`${code}\``);
  });

  it('docs/config.md documents every setting (run `npm run docs` when this fails)', () => {
    const doc = read('docs/config.md');
    expect(doc).toBe(renderConfigDoc());
    for (const s of Object.values(SETTINGS)) expect(doc).toContain(`\`${s.env}\``);
  });
});
