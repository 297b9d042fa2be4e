// The destination contract: one driver per broker family, keyed by URL scheme. The registry
// (registry.ts) turns the drivers into one Sender beside the HTTP one, so the attempt pipeline, the
// dispatcher and everything around them (rate limits, caps, pauses, auto-disable, metrics) stay as
// they are. A Kafka, SQS or Pub/Sub driver slots in by implementing DestinationDriver and being
// listed in the registry; nothing else changes.
//
// Decisions:
// - Credentials never ride in the URL (the URL is shown in lists, logs and the endpoint.disabled
//   event). They are the endpoint's auth, sealed at rest like every secret: basic -> user and
//   password, bearer -> token (NATS token, Redis password), mtls -> client certificate.
// - The driver is given the vetted IP address to dial and the host name for TLS (SNI and certificate
//   check), so the SSRF policy holds exactly as for HTTP: the socket dials what was vetted.
// - A driver succeeds only on the broker's confirmation and throws a DestinationError (or a socket
//   error, classified like HTTP's) otherwise.

import type { AttemptCode } from '../../core/attempt-codes.js';
import type { EndpointAuth } from '../../core/types.js';
import type { SendRequest } from '../sender-types.js';

export interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}

/** Where and how to connect: the vetted address, the name for TLS, credentials and client certificate. */
export interface ConnectSpec {
  /** Vetted IP address to dial. */
  address: string;
  /** Host name from the URL (SNI and certificate check). */
  hostname: string;
  port: number;
  secure: boolean;
  credentials: Credentials | undefined;
  tls: SendRequest['tls'];
  connectTimeoutMs: number;
}

export interface DestinationMessage {
  body: Buffer;
  /** The Standard Webhooks header set (lower-case names), as message headers/properties/fields. */
  headers: Record<string, string>;
  /** Unique per delivery; the broker's de-duplication key where it has one. */
  messageId: string;
  orderingKey: string | undefined;
  timeoutMs: number;
}

export type ParsedDestination<T> = { ok: true; target: T; secure: boolean; defaultPort: number } | { ok: false; message: string };

export interface DestinationDriver<T = unknown> {
  /** For messages: "RabbitMQ", "NATS JetStream" ... */
  readonly name: string;
  /** URL protocols with the colon, as URL.protocol spells them: 'amqp:', 'amqps:'. */
  readonly protocols: readonly string[];
  /** Syntax of the URL's path and query (the host is vetted by the registry). */
  parse(url: URL): ParsedDestination<T>;
  /** Part of the target that needs its own connection (AMQP vhost, Redis db); '' when none. */
  connectionScope(target: T): string;
  /** Publish and wait for the broker's confirmation; resolves with what the broker answered. */
  publish(spec: ConnectSpec, target: T, message: DestinationMessage): Promise<string>;
  close(): Promise<void>;
}

/** A broker fault with its attempt code. */
export class DestinationError extends Error {
  constructor(
    readonly code: AttemptCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DestinationError';
  }
}

export function isHttpUrl(url: string): boolean {
  return /^https?:/i.test(url);
}

/** The endpoint auth a broker connects with (basic -> user/password, bearer -> token); others none. */
export function brokerCredentials(auth: EndpointAuth): Credentials | undefined {
  if (auth.type === 'basic') return { username: auth.username, password: auth.password };
  if (auth.type === 'bearer') return { token: auth.token };
  return undefined;
}

/** A token safe inside a subject/topic/routing key: keeps letters, digits, - and _, the rest as _. */
export function safeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 200) || '_';
}

/** Query parameters the driver knows; any other one is a typo the user wants to hear about. */
export function unknownParams(url: URL, known: readonly string[]): string | null {
  for (const name of url.searchParams.keys()) if (!known.includes(name)) return `Unknown URL parameter "${name}" (known: ${known.join(', ') || 'none'}).`;
  return null;
}
