// Runs one consumer per source that has a `consume` member, in the worker role. It re-reads the
// sources every `refreshMs` (and on resync()) so a created, changed or deleted source starts, restarts
// or stops its consumer without a restart of hookd. Each broker host passes the SSRF policy before
// it is dialled, exactly like a destination's.

import type { Source } from '../../core/inbound-types.js';
import type { SsrfPolicy } from '../../delivery/ssrf-policy.js';
import type { Store } from '../../store/store.js';
import { backoffMs, type RunningConsumer } from './consumer.js';
import { consumerFor } from './consumer-registry.js';
import { ingestMessage, type IngestDeps } from './ingest-message.js';

export interface ConsumerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ConsumerManagerOptions extends IngestDeps {
  store: Store;
  policy: SsrfPolicy;
  logger: ConsumerLogger;
  refreshMs: number;
  /** HOOKD_MAX_BODY_BYTES: the message size cap of a source without its own maxBodyBytes. */
  maxBodyBytes?: number | undefined;
}

export interface ConsumerManager {
  start(): Promise<void>;
  /** Re-read the sources now; resolves once consumers have started or stopped accordingly. */
  resync(): Promise<void>;
  stop(): Promise<void>;
  /** Ids of the sources whose consumer is connected (tests, doctor). */
  running(): string[];
}

interface Slot {
  fingerprint: string;
  consumer: RunningConsumer | null;
  failures: number;
  retryAt: number;
}

const fingerprint = (s: Source): string => JSON.stringify([s.consume, s.updatedAt]);

export function createConsumerManager(options: ConsumerManagerOptions): ConsumerManager {
  const slots = new Map<string, Slot>();
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let syncing: Promise<void> | null = null;

  async function allConsuming(): Promise<Source[]> {
    const out: Source[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const page = await options.store.listSources(undefined, { limit: 250, cursor });
      for (const s of page.data) if (s.consume) out.push(s);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  async function open(source: Source): Promise<RunningConsumer> {
    const config = source.consume!;
    const url = new URL(config.url);
    const kind = consumerFor(url.protocol);
    if (kind === undefined) throw new Error(`no consumer for ${url.protocol}`);
    const host = await options.policy.vetHost(url);
    if (!host.ok) throw new Error(`${host.code}: ${host.message}`);
    const secure = kind.isSecure(url);
    const target = {
      address: host.addresses[0]!,
      hostname: host.hostname,
      port: url.port === '' ? kind.defaultPort(secure) : Number(url.port),
      secure,
      username: config.username,
      password: config.password,
      url,
      maxMessageBytes: source.maxBodyBytes ?? options.maxBodyBytes,
    };
    // The source is re-read per message: a rule changed through the API applies at once.
    const handle = async (message: Parameters<typeof ingestMessage>[2]): Promise<void> => {
      const current = (await options.store.getSource(source.id, undefined)) ?? source;
      const outcome = await ingestMessage(options, current, message);
      if (outcome.verdict === 'rejected') options.logger.info({ sourceId: source.id, code: outcome.code, requestId: outcome.requestId }, 'broker message rejected (logged and acknowledged)');
    };
    return kind.start(target, handle, (err) => options.logger.warn({ sourceId: source.id, err: err instanceof Error ? err.message : String(err) }, 'broker source: connection lost, reconnecting'));
  }

  async function sync(): Promise<void> {
    const sources = await allConsuming();
    const wanted = new Map(sources.map((s) => [s.id, s]));
    for (const [id, slot] of slots) {
      const s = wanted.get(id);
      if (s === undefined || fingerprint(s) !== slot.fingerprint) {
        slots.delete(id);
        await slot.consumer?.stop();
      }
    }
    const now = Date.now();
    for (const s of sources) {
      if (stopping) return;
      let slot = slots.get(s.id);
      if (slot === undefined) {
        slot = { fingerprint: fingerprint(s), consumer: null, failures: 0, retryAt: 0 };
        slots.set(s.id, slot);
      }
      if (slot.consumer !== null || slot.retryAt > now) continue;
      try {
        slot.consumer = await open(s);
        slot.failures = 0;
        options.logger.info({ sourceId: s.id }, 'broker source consuming');
      } catch (err) {
        slot.failures += 1;
        slot.retryAt = now + backoffMs(slot.failures);
        options.logger.warn({ sourceId: s.id, err: err instanceof Error ? err.message : String(err) }, 'broker source could not connect; retrying');
      }
    }
  }

  // A sync in flight may have read the sources before the change its caller wants seen (the
  // periodic one, or a resync whose broker connect is slow): a caller then waits for one more sync,
  // started after that one ends, shared by every caller that came meanwhile (found by a test that
  // removed a source's consume member while the periodic sync was still connecting it).
  let queued: Promise<void> | null = null;
  function resync(): Promise<void> {
    if (stopping) return Promise.resolve();
    if (syncing !== null) {
      queued ??= syncing.then(() => {
        queued = null;
        return resync();
      });
      return queued;
    }
    syncing = sync()
      .catch((err: unknown) => options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'broker sources: could not read the sources'))
      .finally(() => {
        syncing = null;
      });
    return syncing;
  }

  return {
    async start() {
      await resync();
      timer = setInterval(() => void resync(), options.refreshMs);
      timer.unref();
    },
    resync,
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await syncing;
      await Promise.all([...slots.values()].map((s) => s.consumer?.stop() ?? Promise.resolve()));
      slots.clear();
    },
    running: () => [...slots.entries()].filter(([, s]) => s.consumer !== null).map(([id]) => id),
  };
}
