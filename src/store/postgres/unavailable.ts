// Which PostgreSQL driver errors mean "the database cannot do this right now; the same call may
// succeed if retried" (503 with Retry-After on the API; kept and retried by the result writer), as
// opposed to a statement that fails whenever it runs. Used by classifyStoreErrors (store-error.ts).
// A failure that is not the row's fault (a full disk, a read-only server) belongs here: the API
// answers it 503 with Retry-After, and the result writer keeps a result that failed with it even
// when other results of its group were written.

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '58000', // system_error (the server's own I/O)
  '58030', // io_error
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '40001', // serialization_failure: the transaction lost a race; it succeeds when run again
  '40P01', // deadlock_detected: likewise
  '25006', // read_only_sql_transaction: a standby, or a primary demoted in a failover
  '57014', // query_canceled: statement_timeout, or an administrator's cancel
  '55P03', // lock_not_available: lock_timeout
]);

/**
 * PostgreSQL's "cached plan must not change result type" (feature_not_supported, 0A000): a named
 * statement prepared before a schema change (a rolling migration). pool.ts renames the statement,
 * so the same call succeeds when run again; on the bare pool it runs again at once, inside a
 * transaction it is the caller's retry (a 503 on the API, the result writer's back-off).
 */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

export function isPostgresUnavailable(err: unknown): boolean {
  if (isStalePlan(err)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  // Class 53, insufficient resources (disk full, out of memory, too many connections, a
  // configured limit): the server cannot do it now, whatever the row.
  if (typeof code === 'string' && code.startsWith('53')) return true;
  const message = (err as { message?: unknown }).message;
  // node-postgres reports a dropped socket and a pool timeout only in words ("timeout exceeded when
  // trying to connect": no free client in the pool within connectionTimeoutMillis).
  return typeof message === 'string' && /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
