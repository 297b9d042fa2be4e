// Redis Streams consumer group: redis[s]://host[:port][/DB]?stream=KEY&group=G[&consumer=C][&start=0|$]
//
// - XGROUP CREATE ... MKSTREAM on start (an existing group is kept; `start` only matters when the
//   group is created: $ = new entries only, the default; 0 = the whole stream).
// - On every (re)connect the consumer first re-reads its own pending entries (delivered before a
//   crash, never acknowledged), then new ones with XREADGROUP ... BLOCK. XACK follows the store.
// - Fields: `body` is the message; every other field is a header (hookd's Redis destination writes
//   the Standard Webhooks headers as fields, so a hookd -> Redis -> hookd chain verifies).
// - The dedupe key is the entry id, which a redelivery keeps.

import { Redis } from 'ioredis';
import { backoffMs, type ConsumerKind, type RunningConsumer } from './consumer.js';
import type { BrokerMessage } from './ingest-message.js';

const KNOWN = ['stream', 'group', 'consumer', 'start'];
const BLOCK_MS = 1000;
const BATCH = 50;

interface Params {
  db: number;
  stream: string;
  group: string;
  consumer: string;
  start: string;
}

function params(url: URL): Params | string {
  for (const name of url.searchParams.keys()) if (!KNOWN.includes(name)) return `Unknown URL parameter "${name}" (known: ${KNOWN.join(', ')}).`;
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) return 'The path is the database number (0-99).';
  const stream = url.searchParams.get('stream') ?? '';
  const group = url.searchParams.get('group') ?? '';
  if (stream === '' || group === '') return 'Give the stream and the consumer group: ?stream=NAME&group=GROUP';
  const start = url.searchParams.get('start') ?? '$';
  if (start !== '$' && start !== '0') return 'start must be $ (new entries) or 0 (the whole stream).';
  return { db: dbText === '' ? 0 : Number(dbText), stream, group, consumer: url.searchParams.get('consumer') ?? 'hookd', start };
}

type Entries = [id: string, fields: Buffer[]][];

function toMessage(stream: string, id: string, fields: Buffer[]): BrokerMessage {
  const headers: Record<string, string> = {};
  let body: Buffer = Buffer.alloc(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('utf8').toLowerCase();
    if (name === 'body') body = fields[i + 1]!;
    else headers[name] = fields[i + 1]!.toString('utf8');
  }
  return { body, headers, brokerId: `redis:${stream}:${id}`, origin: `redis:${stream}` };
}

export const redisConsumer: ConsumerKind = {
  name: 'Redis Streams',
  protocols: ['redis:', 'rediss:'],
  isSecure: (url) => url.protocol === 'rediss:',
  defaultPort: () => 6379,
  check: (url) => {
    const p = params(url);
    return typeof p === 'string' ? p : null;
  },
  async start(target, handle, onError): Promise<RunningConsumer> {
    const p = params(target.url) as Params;
    let stopped = false;
    let redis: Redis | null = null;
    let failures = 0;
    let wake: (() => void) | null = null;

    const connect = async (): Promise<Redis> => {
      const r = new Redis({
        host: target.address,
        port: target.port,
        db: p.db,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
        connectionName: 'hookd-source',
        ...(target.username !== undefined ? { username: target.username } : {}),
        ...(target.password !== undefined ? { password: target.password } : {}),
        ...(target.secure ? { tls: { servername: target.hostname } } : {}),
      });
      let lastError: unknown = null;
      r.on('error', (err: unknown) => {
        lastError ??= err;
      });
      try {
        await r.connect();
      } catch (err) {
        r.disconnect();
        throw lastError ?? err;
      }
      try {
        await r.call('XGROUP', 'CREATE', p.stream, p.group, p.start, 'MKSTREAM');
      } catch (err) {
        if (!/BUSYGROUP/.test(String(err))) {
          r.disconnect();
          throw err;
        }
      }
      return r;
    };

    const consume = async (r: Redis, from: '0' | '>'): Promise<number> => {
      const reply = (await r.callBuffer('XREADGROUP', 'GROUP', p.group, p.consumer, 'COUNT', String(BATCH), ...(from === '>' ? ['BLOCK', String(BLOCK_MS)] : []), 'STREAMS', p.stream, from)) as
        | [Buffer, Entries][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const [rawId, fields] of entries) {
        if (stopped) break;
        const id = rawId.toString();
        // A pending entry trimmed from the stream comes back with no fields: nothing to store.
        if (fields !== null && fields.length > 0) await handle(toMessage(p.stream, id, fields));
        await r.call('XACK', p.stream, p.group, id);
      }
      return entries.length;
    };

    const loop = async (): Promise<void> => {
      while (!stopped) {
        try {
          redis ??= await connect();
          // Our own pending entries first (delivered before a crash or a store failure).
          while (!stopped && (await consume(redis, '0')) > 0);
          failures = 0;
          while (!stopped) await consume(redis, '>');
        } catch (err) {
          if (stopped) break;
          onError(err);
          redis?.disconnect();
          redis = null;
          failures += 1;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoffMs(failures));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
          continue;
        }
      }
    };

    redis = await connect();
    failures = 0;
    const running = loop();
    return {
      async stop() {
        stopped = true;
        redis?.disconnect();
        wake?.();
        await running;
      },
    };
  },
};
