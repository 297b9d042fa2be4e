// An endpoint's attempts per time bucket: volume, failures and nearest-rank p95 latency, computed in
// one query (ROW_NUMBER over each bucket by duration, the rank percentile_disc would pick), so no
// attempt rows are shipped to the process. Reads the attempts_endpoint_idx index.

import type { EndpointSeriesBucket } from '../store.js';
import { query, type PgContext } from './pool.js';

export async function endpointSeries(ctx: PgContext, endpointId: string, since: number, until: number, bucketMs: number): Promise<EndpointSeriesBucket[]> {
  const { rows } = await query(
    ctx.pool,
    `WITH a AS (
       SELECT (created_at - $2::bigint) / $4::bigint AS b, duration_ms, outcome FROM attempts
       WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3
     ), r AS (
       SELECT b, duration_ms, outcome,
              ROW_NUMBER() OVER (PARTITION BY b ORDER BY duration_ms) AS rn,
              COUNT(*) OVER (PARTITION BY b) AS n
       FROM a
     )
     SELECT b, max(n) AS attempts, count(*) FILTER (WHERE outcome <> 'success') AS failed,
            max(duration_ms) FILTER (WHERE rn = (95 * n + 99) / 100) AS p95
     FROM r GROUP BY b ORDER BY b`,
    [endpointId, since, until, bucketMs],
  );
  // count() and bigint arithmetic may arrive as strings, depending on the pool's type parsers.
  return rows.map((r) => ({
    start: since + Number(r.b) * bucketMs,
    attempts: Number(r.attempts),
    failed: Number(r.failed),
    p95: Number(r.p95),
  }));
}
