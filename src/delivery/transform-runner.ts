// An endpoint's transform applied to one outgoing request: a preset (pure, core/transform-presets.ts)
// or user code in the sandbox (transform-sandbox.ts). The attempt pipeline runs it before signing,
// so the signature covers the bytes actually sent; the API's transform test runs the same code.

import { presetBody } from '../core/transform-presets.js';
import type { Endpoint, EventRecord } from '../core/types.js';
import type { OutgoingWebhook, TransformSandbox } from './transform-sandbox.js';

export interface OutgoingRequest {
  url: string;
  /** The endpoint's custom headers (auth and signature headers are added after the transform). */
  headers: Record<string, string>;
  body: Buffer;
}

export type TransformApplied =
  | { kind: 'none' }
  | { kind: 'ok'; request: OutgoingRequest; durationMs: number }
  | { kind: 'cancelled'; durationMs: number }
  | { kind: 'error'; message: string; durationMs: number };

export interface TransformRunner {
  apply(endpoint: Endpoint, event: EventRecord, request: OutgoingRequest): Promise<TransformApplied>;
  /** What is wrong with transform code (compile error, no transform function), or null. */
  check(code: string): Promise<string | null>;
  close(): void;
}

/** Scheme, host and path only: no user info, query or fragment (they may hold credentials). */
function urlForMessage(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

function parseOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

export function createTransformRunner(deps: {
  sandbox: TransformSandbox;
  /** Base URL of the dashboard, for the presets' link to the event. */
  dashboardUrl: string;
  /**
   * With HOOKD_REQUIRE_HTTPS, whether a URL travels over TLS (the destination registry's answer): the
   * endpoint's own URL was checked when it was saved, but a transform may change the URL of each
   * request, so the rule is checked again on what the transform returns.
   */
  requireTls?: ((url: string) => boolean) | undefined;
}): TransformRunner {
  return {
    async apply(endpoint, event, request) {
      const transform = endpoint.transform;
      if (transform === null || transform === undefined) return { kind: 'none' };
      const createdAt = new Date(event.createdAt).toISOString();
      const data = parseOr(event.payload, event.payload);
      if (transform.preset !== undefined) {
        const started = performance.now();
        const body = presetBody(transform.preset, { id: event.id, type: event.type, tenant: event.tenant, createdAt, data }, deps.dashboardUrl);
        return { kind: 'ok', request: { ...request, body: Buffer.from(JSON.stringify(body), 'utf8') }, durationMs: performance.now() - started };
      }
      const text = request.body.toString('utf8');
      const input: OutgoingWebhook = {
        event: { id: event.id, type: event.type, tenant: event.tenant, createdAt, data },
        url: request.url,
        method: 'POST',
        headers: { ...request.headers },
        body: parseOr(text, text),
      };
      const outcome = await deps.sandbox.run(`${endpoint.id}@${transform.version}`, transform.code, input);
      if (outcome.kind !== 'ok') return outcome;
      const { webhook } = outcome;
      if (deps.requireTls && webhook.url !== request.url && !deps.requireTls(webhook.url)) {
        return { kind: 'error', message: `The transform changed the URL to one without TLS (${urlForMessage(webhook.url)}); HOOKD_REQUIRE_HTTPS=true accepts only https:// (or a TLS broker URL).`, durationMs: outcome.durationMs };
      }
      const body = typeof webhook.body === 'string' ? Buffer.from(webhook.body, 'utf8') : Buffer.from(JSON.stringify(webhook.body), 'utf8');
      return { kind: 'ok', request: { url: webhook.url, headers: webhook.headers, body }, durationMs: outcome.durationMs };
    },
    check: (code) => deps.sandbox.check(code),
    close: () => deps.sandbox.close(),
  };
}
