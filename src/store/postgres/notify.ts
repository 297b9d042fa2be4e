// Cross-process wake-ups. Writers NOTIFY `hookd_events_<schema>` inside their transaction when they
// create events or due work (PostgreSQL delivers it on commit, drops it on rollback); a process that
// is idle (dispatcher sleeping until nextDueAt, a feed long-poll) LISTENs and re-checks the store.
//
// Notifications are hints, not data: a listener that was disconnected may have missed some, so after
// every (re)connect it calls onEvent once to make the caller re-read the store.

import pg from 'pg';
import { SCHEMA_PATTERN } from './pool.js';

export function notifyChannel(schema: string): string {
  return `hookd_events_${schema}`;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries). Resolves once
 * listening; the returned function stops listening and closes the connection.
 */
export async function listenForEvents(
  connectionString: string,
  schema: string,
  onEvent: () => void,
): Promise<() => Promise<void>> {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const channel = notifyChannel(schema);
  let stopped = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let backoff = MIN_BACKOFF_MS;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString, application_name: 'hookd-listener' });
    // Registered before connect: an error or end at any point schedules a reconnect exactly once.
    let dropped = false;
    const onDrop = (): void => {
      if (dropped) return;
      dropped = true;
      c.removeAllListeners('notification');
      if (client === c) client = null;
      void c.end().catch(() => undefined);
      scheduleReconnect();
    };
    c.on('error', onDrop);
    c.on('end', onDrop);
    c.on('notification', (msg) => {
      if (msg.channel === channel) onEvent();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      dropped = true;
      await c.end().catch(() => undefined);
      throw err;
    }
    if (stopped || dropped) {
      dropped = true;
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    backoff = MIN_BACKOFF_MS;
  };

  const scheduleReconnect = (): void => {
    if (stopped || timer !== null) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    timer = setTimeout(() => {
      timer = null;
      connect()
        .then(() => {
          // Anything published while we were away produced no notification for us.
          if (!stopped) onEvent();
        })
        .catch(() => scheduleReconnect());
    }, delay);
    timer.unref();
  };

  try {
    await connect();
  } catch (err) {
    // The first connection is the caller's to retry: no background loop without a stop function.
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    throw err;
  }
  return async () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const c = client;
    client = null;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    }
  };
}
