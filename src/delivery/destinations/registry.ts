// The destination registry: URL scheme -> driver, wrapped as one Sender beside the HTTP sender.
// http(s) URLs go to the HTTP sender untouched; a broker URL is vetted by the same SSRF policy
// (address, DNS) and published by its driver under the attempt's total timeout.

import { performance } from 'node:perf_hooks';
import type { AttemptCode } from '../../core/attempt-codes.js';
import { classifyNetworkError } from '../network-error.js';
import type { SendRequest, SendResult, Sender } from '../sender-types.js';
import type { SsrfPolicy } from '../ssrf-policy.js';
import { DestinationError, isHttpUrl, type ConnectSpec, type DestinationDriver } from './destination.js';

export interface DestinationRegistry {
  /** The driver for a URL protocol ('amqp:'), or undefined for http(s) and unknown schemes. */
  driverFor(protocol: string): DestinationDriver | undefined;
  /** All broker protocols, for messages: ['amqp:', 'amqps:', ...]. */
  protocols(): string[];
  /**
   * Checks a broker URL the way vetUrl checks an HTTP one: syntax, no credentials in the URL,
   * the host under the SSRF policy. Resolves null for an http(s) URL (the caller vets it).
   */
  vet(url: string): Promise<VetBrokerResult | null>;
  /** Whether a URL travels over TLS: https, or a broker URL its driver parses as secure (amqps, nats ?tls=true ...). */
  isSecure(url: string): boolean;
}

export type VetBrokerResult =
  | { ok: true; driver: DestinationDriver; url: URL; target: unknown; addresses: string[]; spec: Omit<ConnectSpec, 'credentials' | 'tls' | 'connectTimeoutMs'> }
  | { ok: false; code: 'invalid_url' | 'blocked_address' | 'dns_not_found' | 'dns_failure'; message: string };

/** Whitespace or a control character anywhere (a URL parser would drop some of them silently). */
function hasSpaceOrControl(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function createDestinationRegistry(policy: SsrfPolicy, drivers: readonly DestinationDriver[]): DestinationRegistry {
  const byProtocol = new Map<string, DestinationDriver>();
  for (const driver of drivers) for (const protocol of driver.protocols) byProtocol.set(protocol, driver);

  async function vet(raw: string): Promise<VetBrokerResult | null> {
    if (hasSpaceOrControl(raw)) return { ok: false, code: 'invalid_url', message: 'The URL contains whitespace or control characters.' };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, code: 'invalid_url', message: `"${raw}" is not a valid absolute URL.` };
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') return null;
    const driver = byProtocol.get(url.protocol);
    if (driver === undefined) {
      return { ok: false, code: 'invalid_url', message: `hookd delivers to ${['http:', 'https:', ...byProtocol.keys()].map((p) => p.replace(':', '')).join(', ')} URLs, not ${url.protocol}` };
    }
    if (url.username !== '' || url.password !== '') {
      return { ok: false, code: 'invalid_url', message: 'The URL contains credentials (user:password@); set them as the endpoint auth (basic: username and password) so they are sealed.' };
    }
    if (url.hostname === '') return { ok: false, code: 'invalid_url', message: 'The URL has no host.' };
    const parsed = driver.parse(url);
    if (!parsed.ok) return { ok: false, code: 'invalid_url', message: `${driver.name}: ${parsed.message}` };
    const host = await policy.vetHost(url);
    if (!host.ok) return host;
    const address = host.addresses[0]!;
    return { ok: true, driver, url, target: parsed.target, addresses: host.addresses, spec: { address, hostname: host.hostname, port: url.port === '' ? parsed.defaultPort : Number(url.port), secure: parsed.secure } };
  }

  return {
    driverFor: (protocol) => byProtocol.get(protocol),
    protocols: () => [...byProtocol.keys()],
    vet,
    isSecure(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return false;
      }
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.protocol === 'https:';
      const parsed = byProtocol.get(url.protocol)?.parse(url);
      return parsed?.ok === true && parsed.secure;
    },
  };
}

/** HTTP for http(s) URLs, the registry's drivers for the rest. */
export function createDestinationSender(opts: { http: Sender; registry: DestinationRegistry; drivers: readonly DestinationDriver[] }): Sender {
  const { http, registry } = opts;
  let closed = false;

  async function send(req: SendRequest): Promise<SendResult> {
    // The common case first, with nothing parsed or copied: an http(s) URL that vet() would hand to
    // the HTTP sender anyway (it parses and checks the URL itself). The same test as vet's decides.
    if (!hasSpaceOrControl(req.url) && isHttpUrl(req.url)) return http.send(req);
    const started = performance.now();
    const requestHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) requestHeaders[name.toLowerCase()] = value;
    if (req.orderingKey !== undefined) requestHeaders['hookd-ordering-key'] = req.orderingKey;
    const failure = (errorCode: AttemptCode, errorMessage: string, remoteAddress: string | null = null): SendResult => ({
      status: null,
      headers: null,
      body: null,
      bodyTruncated: false,
      durationMs: performance.now() - started,
      errorCode,
      errorMessage,
      remoteAddress,
      requestHeaders,
    });
    const vetted = await registry.vet(req.url);
    if (vetted === null) return http.send(req);
    if (!vetted.ok) return failure(vetted.code, vetted.message);
    if (closed) return failure('network_error', 'The broker connections have been closed (hookd is shutting down).');
    const spec: ConnectSpec = { ...vetted.spec, credentials: req.credentials, tls: req.tls, connectTimeoutMs: req.connectTimeoutMs };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DestinationError('broker_confirm_timeout', `${vetted.driver.name} did not confirm the message within ${req.timeoutMs} ms.`)), req.timeoutMs);
    });
    try {
      const reply = await Promise.race([
        vetted.driver.publish(spec, vetted.target, {
          body: req.body,
          headers: requestHeaders,
          messageId: req.messageId ?? requestHeaders['webhook-id'] ?? '',
          orderingKey: req.orderingKey,
          timeoutMs: req.timeoutMs,
        }),
        deadline,
      ]);
      return { status: null, headers: null, body: reply, bodyTruncated: false, durationMs: performance.now() - started, errorCode: null, errorMessage: null, remoteAddress: spec.address, requestHeaders, confirmed: true };
    } catch (err) {
      if (err instanceof DestinationError) return failure(err.code, err.message, spec.address);
      const { code, message } = classifyNetworkError(err);
      return failure(code, `${vetted.driver.name}: ${message}`, spec.address);
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    closed = true;
    await Promise.all([http.close(), ...opts.drivers.map((d) => d.close())]);
  }

  return { send, close };
}
