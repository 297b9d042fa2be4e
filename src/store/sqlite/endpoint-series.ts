// An endpoint's attempts per time bucket: volume, failures and nearest-rank p95 latency, computed in
// one query with window functions (ROW_NUMBER over each bucket by duration), so no attempt rows are
// shipped to the process. Reads the attempts_endpoint (endpoint_id, created_at) index.

import type { EndpointSeriesBucket } from '../store.js';
import type { SqliteContext } from './context.js';

// The cast: bound JS numbers may arrive as REAL, and a REAL quotient would make every attempt its own
// bucket (created_at - since is never negative, so truncation is floor).
// ceil(0.95 * n) in integer arithmetic: (95n + 99) / 100, the nearest rank endpointStats uses too.
const SERIES = `WITH a AS (
    SELECT CAST((created_at - @since) / @bucket AS INTEGER) AS b, duration_ms, outcome FROM attempts
    WHERE endpoint_id = @id AND created_at >= @since AND created_at < @until
  ), r AS (
    SELECT b, duration_ms, outcome,
           ROW_NUMBER() OVER (PARTITION BY b ORDER BY duration_ms) AS rn,
           COUNT(*) OVER (PARTITION BY b) AS n
    FROM a
  )
  SELECT b, max(n) AS attempts, sum(outcome <> 'success') AS failed,
         max(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) AS p95
  FROM r GROUP BY b ORDER BY b`;

export function endpointSeries(ctx: SqliteContext, endpointId: string, since: number, until: number, bucketMs: number): EndpointSeriesBucket[] {
  const rows = ctx.stmt(SERIES).all({ id: endpointId, since, until, bucket: bucketMs }) as Array<{ b: number; attempts: number; failed: number; p95: number }>;
  return rows.map((r) => ({ start: since + r.b * bucketMs, attempts: r.attempts, failed: r.failed, p95: r.p95 }));
}
