// One attempt of a claimed delivery, as one unit: build the request -> send -> classify -> plan the
// delivery's next state -> the AttemptResult the store records. The dispatcher's loop (claim, wake,
// back-off, stop) only runs this. The transport is the Sender: a destination other than HTTP plugs in
// there, and nothing here or in the loop changes.

import type { Logger } from 'pino';
import { classifyNetworkFailure, classifyStatus, type Classification } from '../core/classify-response.js';
import { planAfterAttempt } from '../core/delivery-plan.js';
import { newId } from '../core/ids.js';
import { parseRetryAfter } from '../core/retry-policy.js';
import type { Attempt } from '../core/types.js';
import type { AttemptResult, Claim, NewEvent } from '../store/store.js';
import type { Publisher } from './publisher.js';
import { brokerCredentials, isHttpUrl } from './destinations/destination.js';
import { redactHeaders } from './redact.js';
import { buildBody, buildHeaders } from './request-builder.js';
import type { SigningKeyService } from './signing-key-service.js';
import { AuthError, type AuthProvider, type Sender, type SendResult } from './sender-types.js';
import type { OutgoingRequest, TransformRunner } from './transform-runner.js';

export const MAX_STORED_RESPONSE_BYTES = 16 * 1024;

export interface AttemptPipelineOptions {
  sender: Sender;
  auth: AuthProvider;
  publisher: Publisher;
  logger: Logger;
  userAgent: string;
  connectTimeoutMs: number;
  failingPeriodMs: number;
  signingKeys?: SigningKeyService | undefined;
  now: () => number;
  random: () => number;
  /** The receiver throttled: this process holds back the endpoint's claims in hand until `until`. */
  onPause: (endpointId: string, until: number) => void;
  /** The endpoint.disabled event the store will write if this result disables the endpoint. */
  onDisableAnnouncement: (deliveryId: string, event: NewEvent) => void;
  /** Endpoint transforms (presets and sandboxed code); without it transforms are not applied. */
  transforms?: TransformRunner | undefined;
}

/** The request after the endpoint's transform: send it, or the transform cancelled or failed. */
type Prepared =
  | { kind: 'send'; request: OutgoingRequest; transformMs: number | null }
  | { kind: 'cancelled'; transformMs: number }
  | { kind: 'error'; message: string; transformMs: number };

export type AttemptPipeline = (claim: Claim) => Promise<AttemptResult>;

export function createAttemptPipeline(opts: AttemptPipelineOptions): AttemptPipeline {
  const { logger, now } = opts;

  /** Build the request and send it; the sender reports the headers it sent (for the attempt log). */
  async function send(claim: Claim, request: OutgoingRequest, forceRefresh = false): Promise<SendResult> {
    const { endpoint, event } = claim;
    const { body } = request;
    // A broker takes the endpoint's credentials at connect time: they never become message headers
    // (a queue's consumers would all read them).
    const broker = !isHttpUrl(endpoint.url);
    const authHeaders = broker ? {} : await opts.auth.headersFor(endpoint.id, endpoint.auth, { forceRefresh });
    const signers = endpoint.signing === 'ed25519' || endpoint.signing === 'both' ? await opts.signingKeys?.signers(endpoint.tenant) : undefined;
    // Signed over the bytes that are sent: after the transform, if any. Reserved headers a transform
    // set are dropped by buildHeaders as an endpoint's stored ones would be.
    const headers = buildHeaders({ endpoint, headers: request.headers, event, body, now: now(), userAgent: opts.userAgent, authHeaders, signers });
    return opts.sender.send({
      url: request.url,
      headers,
      body,
      timeoutMs: endpoint.timeoutMs,
      connectTimeoutMs: Math.min(opts.connectTimeoutMs, endpoint.timeoutMs),
      maxResponseBytes: MAX_STORED_RESPONSE_BYTES,
      tls: endpoint.auth.type === 'mtls' ? { cert: endpoint.auth.cert, key: endpoint.auth.key, ca: endpoint.auth.ca } : undefined,
      // The delivery's ordering key becomes the broker's own ordering hint (docs/destinations.md).
      ...(broker ? { credentials: brokerCredentials(endpoint.auth), messageId: claim.delivery.id, ...(claim.delivery.orderingKey ? { orderingKey: claim.delivery.orderingKey } : {}) } : {}),
    });
  }

  /** Send (refreshing an OAuth2 token once on a 401) and classify; never throws. */
  async function sendAndClassify(claim: Claim, request: OutgoingRequest, started: number): Promise<{ result: SendResult; classification: Classification; message: string | null }> {
    const { endpoint, delivery } = claim;
    try {
      let result = await send(claim, request);
      // OAuth2: a 401 may mean our cached token was revoked early; refresh once and retry.
      if (result.status === 401 && endpoint.auth.type === 'oauth2') result = await send(claim, request, true);
      // The broker's receipt (stream sequence, entry id) is what support asks for: it goes in the attempt's message.
      if (result.confirmed === true) return { result, classification: { outcome: 'success', code: 'ok' }, message: result.body };
      if (result.status !== null) return { result, classification: classifyStatus(result.status), message: null };
      return { result, classification: classifyNetworkFailure(result.errorCode ?? 'network_error'), message: result.errorMessage };
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'network_error';
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof AuthError)) logger.error({ err, deliveryId: delivery.id }, 'unexpected error while sending');
      const result: SendResult = { status: null, headers: null, body: null, bodyTruncated: false, durationMs: now() - started, errorCode: code, errorMessage: message, remoteAddress: null, requestHeaders: {} };
      return { result, classification: classifyNetworkFailure(code), message };
    }
  }

  /** Body and headers as built, then the endpoint's transform. Never throws. */
  async function prepare(claim: Claim): Promise<Prepared> {
    const { endpoint, event } = claim;
    const request: OutgoingRequest = { url: endpoint.url, headers: endpoint.headers, body: buildBody(event, endpoint.payloadFormat) };
    if (!opts.transforms || !endpoint.transform) return { kind: 'send', request, transformMs: null };
    try {
      const applied = await opts.transforms.apply(endpoint, event, request);
      if (applied.kind === 'none') return { kind: 'send', request, transformMs: null };
      if (applied.kind === 'ok') {
        // A transform may change the URL, not the kind of destination: an HTTP endpoint's auth
        // headers must never become a broker message's headers, nor a broker's credentials go over HTTP.
        if (isHttpUrl(applied.request.url) !== isHttpUrl(endpoint.url)) {
          return { kind: 'error', message: `The transform changed the URL to ${isHttpUrl(endpoint.url) ? 'a broker' : 'an HTTP'} destination; a transform may change the URL only within the endpoint's own kind (${isHttpUrl(endpoint.url) ? 'http/https' : 'the broker scheme'}).`, transformMs: applied.durationMs };
        }
        return { kind: 'send', request: applied.request, transformMs: applied.durationMs };
      }
      if (applied.kind === 'cancelled') return { kind: 'cancelled', transformMs: applied.durationMs };
      return { kind: 'error', message: applied.message, transformMs: applied.durationMs };
    } catch (err) {
      return { kind: 'error', message: err instanceof Error ? err.message : String(err), transformMs: 0 };
    }
  }

  return async function runAttempt(claim: Claim): Promise<AttemptResult> {
    const { endpoint, delivery, event } = claim;
    const started = now();
    const prepared = await prepare(claim);
    if (prepared.kind === 'cancelled') return cancelledByTransform(claim, started, prepared.transformMs);
    const transformFailed = prepared.kind === 'error';
    const { result, classification, message } =
      prepared.kind === 'send'
        ? await sendAndClassify(claim, prepared.request, started)
        : {
            result: noResponse(now() - started, 'transform_failed', prepared.message),
            classification: { outcome: 'retry', code: 'transform_failed' } as Classification,
            message: `transform failed: ${prepared.message}`,
          };
    const finished = now();
    const retryAfterMs = parseRetryAfter(result.headers?.['retry-after'], finished);
    const plan = planAfterAttempt({ delivery, endpoint, classification, responseStatus: result.status, retryAfterMs, now: finished, random: opts.random, failingPeriodMs: opts.failingPeriodMs });
    // At once for this process's claims in hand; the store holds it for everyone once the result commits.
    if (plan.pauseUntil !== undefined) opts.onPause(endpoint.id, plan.pauseUntil);
    const attemptRecord: Attempt = {
      id: newId('attempt'),
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      eventId: event.id,
      tenant: delivery.tenant,
      createdAt: started,
      durationMs: Math.round(result.durationMs),
      responseStatus: result.status,
      code: classification.code,
      outcome: classification.outcome,
      // What made this attempt happen; the store sets the delivery back to 'scheduled' with it.
      trigger: delivery.nextTrigger,
      message: message ?? (result.bodyTruncated ? `response body truncated at ${MAX_STORED_RESPONSE_BYTES} bytes` : null),
      requestHeaders: redactHeaders(result.requestHeaders, endpoint.auth.type === 'header' ? [endpoint.auth.name] : []),
      responseHeaders: result.headers,
      responseBody: result.body,
    };
    const emit = plan.exhausted
      ? [
          opts.publisher.prepare({
            type: 'delivery.exhausted',
            data: { deliveryId: delivery.id, eventId: event.id, eventType: event.type, endpointId: endpoint.id, attempts: delivery.attempts + 1, lastCode: classification.code, lastStatus: result.status },
            tenant: endpoint.tenant,
            idempotencyKey: null,
          }),
        ]
      : [];
    // Built only when a line is written: a success at the default level logs nothing.
    const failed = classification.outcome !== 'success';
    if (failed || logger.isLevelEnabled('debug')) {
      const logFields = { attemptId: attemptRecord.id, deliveryId: delivery.id, endpointId: endpoint.id, eventId: event.id, code: classification.code, status: result.status, ms: attemptRecord.durationMs };
      logger.debug(logFields, 'attempt');
      if (failed) logger.info({ ...logFields, next: plan.nextAttemptAt }, 'attempt failed');
    }
    return {
      deliveryId: delivery.id,
      orderingKey: delivery.orderingKey ?? null,
      leaseToken: delivery.leaseToken,
      attempt: attemptRecord,
      update: { status: plan.status, nextAttemptAt: plan.nextAttemptAt, lastCode: classification.code, lastStatus: result.status },
      endpoint: {
        // A broken transform says nothing about the receiver: it neither starts nor ends a failing streak.
        health: transformFailed ? 'neutral' : plan.health,
        disable: plan.disableGone ? 'gone' : undefined,
        disableIfFailingSince: transformFailed ? undefined : plan.disableIfFailingSince,
        pauseUntil: plan.pauseUntil,
        // Committed with the disabling itself, or not at all (kill -9 cannot fall in between).
        announceDisabled: (reason) => {
          const announcement = opts.publisher.prepare({
            type: 'endpoint.disabled',
            data: { endpointId: endpoint.id, url: endpoint.url, reason, lastCode: classification.code, lastStatus: result.status, disabledAt: new Date(started).toISOString() },
            tenant: endpoint.tenant,
            idempotencyKey: null,
          });
          opts.onDisableAnnouncement(delivery.id, announcement);
          return announcement;
        },
      },
      emit,
    };
  };

  /** The transform returned null: this delivery is cancelled, with an attempt saying so; nothing was sent. */
  function cancelledByTransform(claim: Claim, started: number, transformMs: number): AttemptResult {
    const { endpoint, delivery, event } = claim;
    const attempt: Attempt = {
      id: newId('attempt'),
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      eventId: event.id,
      tenant: delivery.tenant,
      createdAt: started,
      durationMs: Math.round(now() - started),
      responseStatus: null,
      code: 'transform_cancelled',
      outcome: 'fail',
      trigger: delivery.nextTrigger,
      message: `the transform (version ${endpoint.transform?.version ?? '?'}) returned null in ${transformMs.toFixed(1)} ms: delivery cancelled, nothing sent`,
      requestHeaders: {},
      responseHeaders: null,
      responseBody: null,
    };
    logger.debug({ attemptId: attempt.id, deliveryId: delivery.id, endpointId: endpoint.id, eventId: event.id }, 'delivery cancelled by its transform');
    return {
      deliveryId: delivery.id,
      leaseToken: delivery.leaseToken,
      attempt,
      update: { status: 'cancelled', nextAttemptAt: null, lastCode: 'transform_cancelled', lastStatus: null },
      endpoint: { health: 'neutral' },
      emit: [],
    };
  }

  function noResponse(durationMs: number, code: SendResult['errorCode'], message: string): SendResult {
    return { status: null, headers: null, body: null, bodyTruncated: false, durationMs, errorCode: code, errorMessage: message, remoteAddress: null, requestHeaders: {} };
  }
}
