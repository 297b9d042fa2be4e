// The pure parts of the report: how the diagnosis is picked, and the trend of the logs step.

import { describe, expect, it } from 'vitest';
import type { Attempt } from '../src/core/types.js';
import { trendOf } from '../src/doctor/check-logs.js';
import { found, passed, pickDiagnosis, skipped } from '../src/doctor/report.js';
import { ATTEMPT_CODES } from '../src/core/attempt-codes.js';

describe('pickDiagnosis', () => {
  it('first failure wins over an earlier warning', () => {
    const d = pickDiagnosis([passed('address', 'a'), found('tls', 'warn', 'plain_http', 'w'), found('http', 'fail', 'http_not_found', 'f'), found('logs', 'fail', 'timeout', 'f2')]);
    expect(d).toEqual({ code: 'http_not_found', ...ATTEMPT_CODES.http_not_found });
  });

  it('else the first warning; a step-specific fix replaces the registry fix', () => {
    const d = pickDiagnosis([found('tls', 'warn', 'plain_http', 'w', {}, 'Use https://crm.example.com.'), found('latency', 'warn', 'slow_response', 'w')]);
    expect(d).toEqual({ code: 'plain_http', summary: ATTEMPT_CODES.plain_http.summary, fix: 'Use https://crm.example.com.' });
  });

  it('else ok; skipped steps never become the diagnosis', () => {
    expect(pickDiagnosis([passed('dns', 'ok'), skipped('event', 's')]).code).toBe('ok');
  });
});

describe('trendOf', () => {
  const attempts = (codes: string[]): Attempt[] => codes.map((code, i) => ({ code, createdAt: i }) as Attempt);
  it.each([
    [['ok', 'ok'], 'healthy'],
    [['timeout', 'timeout'], 'failing'],
    [['ok', 'ok', 'timeout', 'timeout'], 'worsening'],
    [['timeout', 'timeout', 'ok', 'ok'], 'improving'],
    [['ok', 'timeout', 'ok', 'timeout'], 'intermittent'],
  ])('%j -> %s', (codes, trend) => {
    expect(trendOf(attempts(codes))).toBe(trend);
  });
});
