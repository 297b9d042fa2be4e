// The outbound HTTP client: undici Agents whose connector is pinned to the SSRF policy, split timeouts
// under one total deadline, no redirects, a capped response body, and every network fault returned as
// a classified SendResult (never thrown).
//
// Decisions and hazards:
// - SSRF is enforced three times: IP-literal hosts are checked before dispatch (net.connect never calls
//   `lookup` for them), names are resolved by `policy.pinnedLookup` inside net.connect (so the socket
//   dials exactly the addresses that were vetted: no rebinding window), and the connected socket's
//   remote address is checked again before undici writes a byte of HTTP.
// - We use our own Agents, never global fetch (which ignores `agent`) nor EnvHttpProxyAgent: an
//   HTTP(S)_PROXY in the environment must not bypass the pin.
// - One total timer covers connect + headers + body, so a slow-drip body cannot stretch an attempt
//   (undici's headers/body timeouts are idle timers that each drip resets).
// - A 2xx whose body is cut by the cap, or reset after the status line, is still a response: the status
//   decides (a retry would duplicate an accepted delivery). Only the total timeout turns a started
//   response into an error: status null, errorCode 'timeout', the status named in the message.
// - The caller's `tls.ca` ADDS to the public roots (Node's `ca` option replaces them otherwise).

import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { AttemptCode } from '../core/attempt-codes.js';
import { classifyNetworkError, totalTimeoutError } from './network-error.js';
import type { SendRequest, SendResult, Sender } from './sender-types.js';
import { parseHost, type SsrfPolicy } from './ssrf-policy.js';

export interface HttpSenderOptions {
  policy: SsrfPolicy;
  /** Sent when the request has no user-agent header. */
  userAgent?: string | undefined;
  /** Connections per origin in each Agent; default 32. */
  maxConnectionsPerOrigin?: number | undefined;
}

// undici does not tell a handler which socket carried its request, and we want the remote address
// (for the log) and the socket's own errors (undici reports a TLS 1.3 alert as "other side closed").
// It calls our onRequestStart and then, synchronously in the same function (client-h1 writeH1),
// publishes 'undici:client:sendHeaders' with the socket; nothing can run in between. The slot is
// cleared on the next microtask in case the request is aborted before the publish. If a future undici
// changes that order, remoteAddress becomes null (the http-sender tests catch it); nothing else breaks.
let awaitingSocket: ((socket: Socket) => void) | null = null;
diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
  const take = awaitingSocket;
  awaitingSocket = null;
  const socket = (message as { socket?: Socket }).socket;
  if (take && socket) take(socket);
});

/** First error each socket emitted, so a later generic "other side closed" can be explained. */
const firstSocketError = new WeakMap<Socket, Error>();

function blockedError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ESSRFBLOCKED' });
}

function guardedConnector(policy: SsrfPolicy, options: buildConnector.BuildOptions): buildConnector.connector {
  const base = buildConnector({ ...options, lookup: policy.pinnedLookup });
  return (opts, callback) => {
    // undici passes the URL's hostname (already WHATWG-normalised), IPv6 without brackets.
    const ip = opts.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(ip) !== 0) {
      const verdict = policy.checkAddress(ip);
      if (!verdict.allowed) return callback(blockedError(verdict.reason), null);
    }
    base(opts, (err, socket) => {
      if (err !== null) return callback(err, null);
      const remote = socket.remoteAddress;
      const verdict = remote
        ? policy.checkAddress(remote)
        : { allowed: false as const, reason: 'the connected socket has no remote address' };
      if (!verdict.allowed) {
        socket.destroy();
        return callback(blockedError(`The connection reached a blocked address: ${verdict.reason}`), null);
      }
      socket.on('error', (e: Error) => {
        if (!firstSocketError.has(socket)) firstSocketError.set(socket, e);
      });
      callback(null, socket);
    });
  };
}

/** Where a URL sends to, or why it cannot be sent to; a function of the URL text alone. */
type Target = { origin: string; path: string; ip: string | null } | { problem: string };

/**
 * Parsed targets by URL text. Every attempt to an endpoint parses the same URL (WHATWG parsing and
 * the host check were ~1% of a delivery, bench/); the address policy is still applied per attempt.
 * Bounded: past TARGET_CACHE_SIZE distinct URLs it starts over.
 */
const TARGET_CACHE_SIZE = 2048;
const targets = new Map<string, Target>();

function targetOf(text: string): Target {
  let target = targets.get(text);
  if (target === undefined) {
    target = parseTarget(text);
    if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
    targets.set(text, target);
  }
  return target;
}

function parseTarget(text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `"${text}" is not a valid absolute URL.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `Only http and https URLs are allowed, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '') {
    return { problem: 'The URL contains credentials (user:password@); use the endpoint auth settings instead.' };
  }
  return { origin: url.origin, path: `${url.pathname}${url.search}`, ip: parseHost(url).ip };
}

export function createHttpSender(options: HttpSenderOptions): Sender {
  const { policy } = options;
  const userAgent = options.userAgent ?? 'hookd';
  const connections = options.maxConnectionsPerOrigin ?? 32;
  // One Agent per TLS identity and connect timeout (the connector is built with both); plain requests
  // with the same connect timeout share one, so keep-alive connections are reused across endpoints.
  const agents = new Map<string, Agent>();
  let closed = false;

  function agentFor(req: SendRequest): Agent {
    const tls = req.tls;
    const hasTls = Boolean(tls?.cert || tls?.key || tls?.ca);
    const key = hasTls
      ? createHash('sha256')
          .update(JSON.stringify([tls?.cert ?? '', tls?.key ?? '', tls?.ca ?? '', req.connectTimeoutMs]))
          .digest('hex')
      : `plain:${req.connectTimeoutMs}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      const connect = guardedConnector(policy, {
        timeout: req.connectTimeoutMs,
        ...(tls?.cert ? { cert: tls.cert } : {}),
        ...(tls?.key ? { key: tls.key } : {}),
        ...(tls?.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
      });
      agent = new Agent({ connect, connections, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
      agents.set(key, agent);
    }
    return agent;
  }

  async function send(req: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const asGiven: Record<string, string> = {};
    for (const name in req.headers) asGiven[name.toLowerCase()] = req.headers[name]!;
    const failure = (errorCode: AttemptCode, errorMessage: string): SendResult => ({
      status: null,
      headers: null,
      body: null,
      bodyTruncated: false,
      durationMs: performance.now() - started,
      errorCode,
      errorMessage,
      remoteAddress: null,
      requestHeaders: asGiven,
    });

    const target = targetOf(req.url);
    if ('problem' in target) return failure('invalid_url', target.problem);
    const { ip } = target;
    if (ip !== null) {
      const verdict = policy.checkAddress(ip);
      if (!verdict.allowed) return failure('blocked_address', verdict.reason);
    }
    if (closed) return failure('network_error', 'The HTTP sender has been closed (hookd is shutting down).');

    const method = req.method ?? 'POST';
    // From here on the request goes out: what is sent is what the attempt log records (the failures
    // above reported the headers as given, before this default).
    const headers = asGiven;
    headers['user-agent'] ??= userAgent;

    return new Promise<SendResult>((resolve) => {
      let settled = false;
      let controller: Dispatcher.DispatchController | null = null;
      let socket: Socket | null = null;
      let status: number | null = null;
      let responseHeaders: Record<string, string> | null = null;
      const chunks: Buffer[] = [];
      let received = 0;
      let truncated = false;

      const finish = (errorCode: AttemptCode | null, errorMessage: string | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const result: SendResult = {
          status,
          headers: responseHeaders,
          body: status === null ? null : Buffer.concat(chunks).toString('utf8'),
          bodyTruncated: truncated,
          durationMs: performance.now() - started,
          errorCode,
          errorMessage,
          remoteAddress: socket?.remoteAddress ?? null,
          requestHeaders: headers,
        };
        // undici hands a keep-alive socket back to its pool one event-loop turn after the response
        // ends (client-h1: "wait a full event loop cycle"). Resolving at once lets a caller's next send
        // to the same origin open a second connection; resolving two turns later (undici queues its
        // setImmediate after ours) reuses the first. If the timing ever differs, the cost is one socket.
        setImmediate(() => setImmediate(() => resolve(result)));
      };

      const fail = (err: unknown): void => {
        // A TLS alert that undici reported only as "other side closed": use the socket's own error.
        const own = socket ? firstSocketError.get(socket) : undefined;
        const effective = own !== undefined && own !== err && (err as { code?: unknown }).code === 'UND_ERR_SOCKET' ? own : err;
        const { code, message } = classifyNetworkError(effective);
        const hint =
          code === 'connection_reset' && req.tls?.cert
            ? ' This endpoint uses a client certificate (mTLS): the receiver may have rejected it.'
            : '';
        finish(code, message + hint);
      };

      const timer = setTimeout(() => {
        const err = totalTimeoutError(req.timeoutMs);
        const partial = status !== null ? ` The receiver answered ${status} but the body did not complete in time.` : '';
        // An unfinished response counts as no response (the contract: errorCode set => status null),
        // so callers that classify by `status !== null` first see the timeout. The status stays in
        // the message for the log.
        status = null;
        responseHeaders = null;
        // Settle first: abort() calls onResponseError synchronously. Before onRequestStart (connecting
        // or queued) there is nothing to abort yet; the request is aborted as soon as it starts.
        finish('timeout', classifyNetworkError(err).message + partial);
        controller?.abort(err);
      }, req.timeoutMs);

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(ctrl) {
          controller = ctrl;
          if (settled) return ctrl.abort(totalTimeoutError(req.timeoutMs));
          const mine = (s: Socket): void => {
            socket = s;
          };
          awaitingSocket = mine;
          queueMicrotask(() => {
            if (awaitingSocket === mine) awaitingSocket = null;
          });
        },
        onResponseStart(_ctrl, statusCode, rawHeaders) {
          if (statusCode < 200) return; // 1xx informational; the final response follows
          status = statusCode;
          responseHeaders = {};
          for (const name in rawHeaders) {
            const value = rawHeaders[name];
            if (value !== undefined) responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
          }
        },
        onResponseData(ctrl, chunk) {
          if (settled) return;
          const room = req.maxResponseBytes - received;
          if (chunk.length <= room) {
            chunks.push(chunk);
            received += chunk.length;
            return;
          }
          // Keep what fits and drop the connection: draining an endless body would hold the slot.
          if (room > 0) chunks.push(chunk.subarray(0, room));
          received += Math.max(room, 0);
          truncated = true;
          finish(null, null);
          ctrl.abort(new Error('response body cap reached'));
        },
        onResponseEnd() {
          finish(null, null);
        },
        onResponseError(_ctrl, err) {
          if (settled) return;
          if (status !== null) {
            // The status line arrived; a reset while reading the body does not undo it (C-05).
            truncated = true;
            return finish(null, null);
          }
          fail(err);
        },
      };

      try {
        agentFor(req).dispatch(
          {
            origin: target.origin,
            path: target.path,
            method,
            headers,
            body: method === 'POST' ? req.body : null,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          },
          handler,
        );
      } catch (err) {
        fail(err);
      }
    });
  }

  async function close(): Promise<void> {
    closed = true;
    const all = [...agents.values()];
    agents.clear();
    // destroy, not close: close() waits for in-flight requests, and a receiver that never answers
    // would hold shutdown hostage. The dispatcher has already waited its grace period and released
    // whatever was still running, so those requests' results are not wanted any more.
    await Promise.all(all.map((agent) => agent.destroy()));
  }

  return { send, close };
}
