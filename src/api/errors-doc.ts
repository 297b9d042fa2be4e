// Renders docs/errors.md from the error registries (API errors and attempt/doctor codes).

import { ATTEMPT_CODES } from '../core/attempt-codes.js';
import { API_ERROR_CODES } from '../core/error-codes.js';

export function renderErrorsDoc(): string {
  const api = Object.entries(API_ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} | ${e.description} |`);
  const attempts = Object.entries(ATTEMPT_CODES).map(([code, e]) => `| \`${code}\` | ${e.summary} | ${e.fix} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/error-codes.ts and src/core/attempt-codes.ts by `npm run docs`. A test fails when this file is stale. -->',
    '',
    '## API errors',
    '',
    'Every error response is `application/problem+json` (RFC 9457): `{ type, title, status, detail, code, requestId }`,',
    'plus `errors: [{ path, message }]` for validation problems. `code` is stable; match on it, not on `detail`.',
    '',
    '| code | status | title | meaning and what to do |',
    '|---|---|---|---|',
    ...api,
    '',
    '## Delivery attempt and doctor codes',
    '',
    'Each attempt record and each doctor check carries one of these codes; the same fault has the same code in both.',
    '',
    '| code | meaning | fix |',
    '|---|---|---|',
    ...attempts,
    '',
  ].join('\n');
}
