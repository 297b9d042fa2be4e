// The `latency` step: is the receiver fast enough for its timeout? Slower than half the timeout is a
// warning (slow_response): a busy day turns it into timeouts and retries. Besides the probe it reads
// the p95 of the endpoint's recent attempts, since one fast probe can hide a slow afternoon.

import type { EndpointStats } from '../store/store.js';
import { found, passed, skipped, type StepResult } from './report.js';

export function checkLatency(probeMs: number | null, timeoutMs: number, stats: EndpointStats | null): StepResult {
  if (probeMs === null) return skipped('latency', 'Skipped: no response to time.', { dependsOn: 'http' });
  const threshold = timeoutMs / 2;
  const ms = Math.round(probeMs);
  const p95 = stats?.p95 ?? null;
  const detail = { probeMs: ms, timeoutMs, thresholdMs: threshold, recent: stats ? { attempts: stats.attempts, p50: stats.p50, p95: stats.p95, p99: stats.p99 } : null };
  if (ms > threshold) {
    return found('latency', 'warn', 'slow_response', `The receiver answered in ${ms} ms, more than half of the ${timeoutMs} ms timeout.`, detail);
  }
  if (p95 !== null && p95 > threshold) {
    return found('latency', 'warn', 'slow_response', `The probe took ${ms} ms, but the 95th percentile of recent attempts is ${Math.round(p95)} ms, more than half of the ${timeoutMs} ms timeout.`, detail);
  }
  return passed('latency', `The receiver answered in ${ms} ms (timeout ${timeoutMs} ms).`, detail);
}
