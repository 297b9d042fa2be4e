// The `logs` step: what the endpoint's recent delivery attempts say. The network probes show the
// receiver now; the logs show what deliveries met (an intermittent 503, a fault fixed an hour ago).
// The latest attempt decides the status: failing now is a failure, failures followed by success are a
// warning, no failures pass.

import { isAttemptCode, type AttemptCode } from '../core/attempt-codes.js';
import type { Attempt } from '../core/types.js';
import type { Store } from '../store/store.js';
import { found, passed, skipped, type StepResult } from './report.js';

export type LogTrend = 'healthy' | 'failing' | 'worsening' | 'improving' | 'intermittent';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const codeOf = (a: Attempt): AttemptCode => (isAttemptCode(a.code) ? a.code : 'network_error');

/** Failure rate of the newer half against the older half of the window. */
export function trendOf(chronological: readonly Attempt[]): LogTrend {
  const failed = chronological.filter((a) => a.code !== 'ok').length;
  if (failed === 0) return 'healthy';
  if (failed === chronological.length) return 'failing';
  const half = Math.floor(chronological.length / 2);
  const rate = (list: readonly Attempt[]): number => (list.length === 0 ? 0 : list.filter((a) => a.code !== 'ok').length / list.length);
  const older = rate(chronological.slice(0, half));
  const newer = rate(chronological.slice(half));
  if (newer > older) return 'worsening';
  if (newer < older) return 'improving';
  return 'intermittent';
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export async function checkLogs(store: Store, endpointId: string, limit: number): Promise<StepResult> {
  const newestFirst = await store.listRecentAttempts(endpointId, limit);
  if (newestFirst.length === 0) return skipped('logs', 'No delivery attempts are recorded for this endpoint yet.', { attempts: 0 });
  const chronological = [...newestFirst].reverse();
  const failures = chronological.filter((a) => a.code !== 'ok');
  const successes = chronological.filter((a) => a.code === 'ok');
  const byCode = countBy(chronological, (a) => a.code);
  const failureCodes = Object.entries(countBy(failures, (a) => a.code)).sort((a, b) => b[1] - a[1]);
  const latest = newestFirst[0]!;
  const detail = {
    attempts: chronological.length,
    failed: failures.length,
    byCode,
    byStatus: countBy(chronological, (a) => (a.responseStatus === null ? 'none' : String(a.responseStatus))),
    firstFailureAt: iso(failures[0]?.createdAt),
    lastFailureAt: iso(failures.at(-1)?.createdAt),
    lastSuccessAt: iso(successes.at(-1)?.createdAt),
    trend: trendOf(chronological),
    recent: newestFirst.slice(0, 5).map((a) => ({ at: iso(a.createdAt), code: a.code, status: a.responseStatus, durationMs: a.durationMs, message: a.message })),
  };
  const summary = failureCodes.map(([code, n]) => `${code} x${n}`).join(', ');
  if (latest.code !== 'ok') {
    const status = latest.responseStatus === null ? '' : ` (HTTP ${latest.responseStatus})`;
    return found('logs', 'fail', codeOf(latest), `${failures.length} of the last ${chronological.length} attempts failed (${summary}); the latest, at ${iso(latest.createdAt)}, failed with ${latest.code}${status}. Trend: ${detail.trend}.`, detail);
  }
  if (failures.length > 0) {
    const [topCode] = failureCodes[0]!;
    const code: AttemptCode = isAttemptCode(topCode) ? topCode : 'network_error';
    return found('logs', 'warn', code, `${failures.length} of the last ${chronological.length} attempts failed (${summary}), the last at ${detail.lastFailureAt}; the latest succeeded. Trend: ${detail.trend}.`, detail);
  }
  return passed('logs', `All ${chronological.length} recent attempts succeeded.`, detail);
}
