// Which PostgreSQL driver errors mean "the database cannot do this right now; the same call may
// succeed if retried" (503 with Retry-After on the API; kept and retried by the result writer), as
// opposed to a statement that fails whenever it runs. Used by classifyStoreErrors (store-error.ts).
// A failure that is not the row's fault (a full disk, a read-only server) belongs here: the result
// writer drops a result whose error is not in this list, once the database answers a ping.

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  // Class 53, insufficient resources: the server cannot do it now, whatever the row.
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
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

export function isPostgresUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = (err as { message?: unknown }).message;
  // node-postgres reports a dropped socket and a pool timeout only in words.
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}
