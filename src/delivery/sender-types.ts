// The contract between the dispatcher (and the doctor) and the outbound HTTP client.

import type { AttemptCode } from '../core/attempt-codes.js';
import type { EndpointAuth } from '../core/types.js';

export interface SendRequest {
  url: string;
  /** Complete header set to send (signature, auth, custom headers, content-type, user-agent). */
  headers: Record<string, string>;
  body: Buffer;
  /** Total time allowed for the attempt: connect + headers + body. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Bytes of the response body kept; the rest is discarded and `bodyTruncated` set. */
  maxResponseBytes: number;
  /** Client certificate (mTLS) and extra trust anchors, PEM. */
  tls?: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined } | undefined;
  /** Defaults to POST. */
  method?: 'POST' | 'GET' | 'HEAD' | undefined;
  /** Broker destinations: the user and password (endpoint basic auth) or token (bearer), sealed at rest with the endpoint. */
  credentials?: { username?: string | undefined; password?: string | undefined; token?: string | undefined } | undefined;
  /** Broker destinations: an id unique to this delivery, the broker's own de-duplication key where it has one (JetStream Nats-Msg-Id). */
  messageId?: string | undefined;
  /** Broker destinations: the ordering key, mapped onto the broker's own ordering hint. */
  orderingKey?: string | undefined;
}

export interface SendResult {
  /** null when no response was received. */
  status: number | null;
  headers: Record<string, string> | null;
  /** Response body (utf-8, capped at maxResponseBytes); null without a response. */
  body: string | null;
  bodyTruncated: boolean;
  durationMs: number;
  /** Network-level failure classified with a spec section 8 code; null when a response arrived. */
  errorCode: AttemptCode | null;
  errorMessage: string | null;
  /** The address actually connected to (after SSRF vetting), when known. */
  remoteAddress: string | null;
  /** The request headers as sent (lower-cased names), for the attempt log; what would have been sent when nothing was. */
  requestHeaders: Record<string, string>;
  /**
   * A broker destination confirmed the message (publisher confirm, JetStream ack, PUBACK, XADD reply):
   * success without an HTTP status. `body` then holds what the broker answered (e.g. a stream sequence).
   */
  confirmed?: boolean | undefined;
}

export interface Sender {
  send(req: SendRequest): Promise<SendResult>;
  close(): Promise<void>;
}

/** Turns an endpoint's auth config into request headers (OAuth2 tokens are fetched and cached). */
export interface AuthProvider {
  /**
   * Headers to add for this endpoint. `forceRefresh` drops a cached OAuth2 token first (after a 401).
   * Throws an AuthError (code 'auth_token_failed') when a token cannot be obtained.
   */
  headersFor(endpointId: string, auth: EndpointAuth, options?: { forceRefresh?: boolean }): Promise<Record<string, string>>;
  /** Forget cached tokens of an endpoint (after its auth changed). */
  forget(endpointId: string): void;
}

export class AuthError extends Error {
  readonly code = 'auth_token_failed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
  }
}
