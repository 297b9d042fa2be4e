// The broker-source contract: one consumer kind per URL scheme. A consumer reads messages, hands
// each to `handle` (which stores it, or throws when the store is down) and acknowledges it only
// once `handle` resolved: a crash in between leaves the message unacknowledged, the broker delivers
// it again, and the source's dedupe (the broker's message id) absorbs the repeat. Kafka, SQS or
// Pub/Sub slot in as another ConsumerKind in consumer-registry.ts.

import type { BrokerMessage } from './ingest-message.js';

export interface ConsumeTarget {
  /** Vetted IP address to dial (the SSRF policy already passed it). */
  address: string;
  hostname: string;
  port: number;
  secure: boolean;
  username: string | undefined;
  password: string | undefined;
  url: URL;
  /** Largest message to accept (the source's maxBodyBytes, else HOOKD_MAX_BODY_BYTES), where the protocol can say so. */
  maxMessageBytes?: number | undefined;
}

export interface RunningConsumer {
  /** Stop reading; resolves once the connection is closed (an in-flight message is left unacked). */
  stop(): Promise<void>;
}

export interface ConsumerKind {
  readonly name: string;
  readonly protocols: readonly string[];
  /** Whether the URL asks for TLS (rediss:, amqps: ...). */
  isSecure(url: URL): boolean;
  defaultPort(secure: boolean): number;
  /** Syntax of the path and query; null when fine, else what to fix. */
  check(url: URL): string | null;
  /**
   * Connect and consume until stopped. Rejects only for the first connection's failure; afterwards
   * it reports faults through onError and reconnects itself.
   */
  start(target: ConsumeTarget, handle: (message: BrokerMessage) => Promise<void>, onError: (err: unknown) => void): Promise<RunningConsumer>;
}

/** Bounded exponential backoff for reconnects: 250 ms doubling to 30 s. */
export function backoffMs(failures: number): number {
  return Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
}
