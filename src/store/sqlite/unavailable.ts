// SQLite's "try again": another process holds the write lock past busy_timeout, or the file cannot
// take a write right now (the disk or the database's page limit is full, an I/O error, out of
// memory, the file made read-only, a WAL or temporary file that cannot be opened, a lost race in the
// WAL's locking protocol). The database is there but cannot be written now, which callers treat
// like an outage (503, retry; the result writer keeps the results): none of these is the fault of
// the one row being written, so none may get a row dropped as poison.

export function isSqliteUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return (
    code === 'SQLITE_BUSY' ||
    code.startsWith('SQLITE_BUSY_') ||
    code === 'SQLITE_LOCKED' ||
    code.startsWith('SQLITE_LOCKED_') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_NOMEM' ||
    code === 'SQLITE_IOERR' ||
    code.startsWith('SQLITE_IOERR_') ||
    code === 'SQLITE_READONLY' ||
    code.startsWith('SQLITE_READONLY_') ||
    code === 'SQLITE_CANTOPEN' ||
    code.startsWith('SQLITE_CANTOPEN_') ||
    code === 'SQLITE_PROTOCOL'
  );
}
