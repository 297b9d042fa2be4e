// SQLite's "try again": another process holds the write lock past busy_timeout. The database is
// there but cannot be written now, which callers treat like an outage (503, retry).

export function isSqliteUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
