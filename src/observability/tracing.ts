// OpenTelemetry tracing. Off unless the standard variables ask for it (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER), and then exported over OTLP/HTTP with
// everything else (headers, timeout, sampler, batch sizes, resource attributes) read by the SDK from
// the usual OTEL_* variables. When off, every method is a cheap no-op and the SDK is never loaded.
//
// The span model:
// - `hookd.publish`: one per event written (API publish, ingress, operational events). Its W3C
//   traceparent is stored with the event, because delivery happens later, maybe in another process;
// - `hookd.attempt`: one per HTTP attempt, a new trace LINKED to the publish span (a retry three
//   days later is not a child of a request that ended long ago; links are what messaging systems use);
// - `hookd.inbound`: one per ingress request (parent of the publish span of the event it creates);
// - `hookd.db.*`: the store's publish, claim and result-recording transactions.

import {
  context,
  trace,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Attempt } from '../core/types.js';
import type { AttemptResult, Claim, NewEvent, PublishResult } from '../store/store.js';

export interface TracingOptions {
  /** The environment to read OTEL_* from (process.env in production). */
  env: Record<string, string | undefined>;
  version: string;
  /** Tests: export here, synchronously (SimpleSpanProcessor), whatever the environment says. */
  exporter?: SpanExporter;
  /** Where to report a misconfiguration (unsupported exporter name). */
  warn?: (message: string) => void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Starts the event's `hookd.publish` span (child of the active span) and stores its traceparent on the event. */
  startPublish(event: NewEvent): void;
  /** Ends the publish span started for `event` with its outcome (fan-out count), or the error. */
  endPublish(event: NewEvent, result: PublishResult | null, error?: unknown): void;
  /** Runs one attempt inside its `hookd.attempt` span, linked to the event's publish span. */
  traceAttempt(claim: Claim, run: () => Promise<AttemptResult>): Promise<AttemptResult>;
  /** Runs database work inside a span (`hookd.db.*`). */
  dbSpan<T>(name: string, attributes: Attributes, run: () => Promise<T>, links?: Link[]): Promise<T>;
  /** Starts a span that the caller ends; returns the context to run the work in. */
  startSpan(name: string, attributes: Attributes, kind?: SpanKind): { span: Span; context: Context };
  /** The span context of each event's stored traceparent (for links from batch work). */
  linksFor(events: readonly NewEvent[]): Link[];
  /** Flush and stop the exporter. */
  shutdown(): Promise<void>;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE = /^0+$/;

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote span context in a W3C traceparent, or null when it is absent or malformed. */
export function parseTraceparent(value: string | null | undefined): SpanContext | null {
  const m = value ? TRACEPARENT.exec(value) : null;
  if (!m || INVALID_TRACE.test(m[1]!) || INVALID_TRACE.test(m[2]!)) return null;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** Whether the standard variables ask for traces. */
export function tracingRequested(env: Record<string, string | undefined>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  if (exporter === 'none') return false;
  return exporter !== '' || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) || Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function createTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.exporter && !tracingRequested(options.env)) return NOOP_TRACING;
  // Loaded only when tracing is on: the SDK and exporter are a noticeable share of start-up time.
  const [{ NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, ConsoleSpanExporter }, { detectResources, envDetector, resourceFromAttributes }, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources'), import('@opentelemetry/semantic-conventions')]);

  let processor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else {
    const names = (options.env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((n) => n.trim().toLowerCase());
    if (names.includes('console')) {
      processor = new BatchSpanProcessor(new ConsoleSpanExporter());
    } else {
      if (!names.includes('otlp')) options.warn?.(`OTEL_TRACES_EXPORTER=${options.env.OTEL_TRACES_EXPORTER}: only otlp (OTLP/HTTP) and console are supported; using otlp`);
      const protocol = options.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? options.env.OTEL_EXPORTER_OTLP_PROTOCOL;
      if (protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') options.warn?.(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported; hookd exports OTLP/HTTP with JSON bodies`);
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION itself.
      processor = new BatchSpanProcessor(new OTLPTraceExporter());
    }
  }
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'hookd', [ATTR_SERVICE_VERSION]: options.version }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Registers the AsyncLocalStorage context manager (and, once per process, the global provider and
  // W3C propagator). hookd itself always uses its own provider's tracer, so a second runtime in the
  // same process (tests) traces to its own exporter.
  provider.register();
  return createSdkTracing(provider.getTracer('hookd', options.version), () => provider.shutdown());
}

function createSdkTracing(tracer: Tracer, shutdown: () => Promise<void>): Tracing {
  // The open publish span of each prepared event, until the store has written it. A WeakMap: an event
  // prepared and never written (validation failed later) leaves nothing behind, and its span is
  // simply never exported.
  const publishSpans = new WeakMap<NewEvent, Span>();

  const fail = (span: Span, error: unknown): void => {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  };

  const tracing: Tracing = {
    enabled: true,
    startPublish(event) {
      const span = tracer.startSpan('hookd.publish', {
        kind: SpanKind.PRODUCER,
        attributes: { 'hookd.event.id': event.id, 'hookd.event.type': event.type, 'hookd.tenant': event.tenant ?? '', ...(event.sourceId ? { 'hookd.source.id': event.sourceId } : {}) },
      });
      publishSpans.set(event, span);
      event.traceContext = formatTraceparent(span.spanContext());
    },
    endPublish(event, result, error) {
      const span = publishSpans.get(event);
      if (!span) return;
      publishSpans.delete(event);
      if (error !== undefined) fail(span, error);
      else if (result) {
        span.setAttribute('hookd.publish.result', result.kind);
        if (result.kind !== 'conflict') span.setAttribute('hookd.fanout.count', result.deliveries);
        // A replay returns the original event: point at it.
        if (result.event.id !== event.id) span.setAttribute('hookd.event.original_id', result.event.id);
      }
      span.end();
    },
    async traceAttempt(claim, run) {
      const { delivery, endpoint, event } = claim;
      const publish = parseTraceparent(event.traceContext);
      const span = tracer.startSpan(
        'hookd.attempt',
        {
          kind: SpanKind.CLIENT,
          root: true,
          links: publish ? [{ context: publish, attributes: { 'hookd.link': 'publish' } }] : [],
          attributes: {
            'hookd.event.id': event.id,
            'hookd.event.type': event.type,
            'hookd.delivery.id': delivery.id,
            'hookd.endpoint.id': endpoint.id,
            'hookd.attempt.number': delivery.attempts + 1,
            'hookd.tenant': delivery.tenant ?? '',
            'http.request.method': 'POST',
          },
        },
        context.active(),
      );
      try {
        const result = await context.with(trace.setSpan(context.active(), span), run);
        setAttemptAttributes(span, result.attempt, result.update.status);
        return result;
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
    async dbSpan(name, attributes, run, links) {
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, ...(links && links.length > 0 ? { links } : {}) });
      try {
        return await context.with(trace.setSpan(context.active(), span), run);
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
    startSpan(name, attributes, kind = SpanKind.INTERNAL) {
      const span = tracer.startSpan(name, { kind, attributes });
      return { span, context: trace.setSpan(context.active(), span) };
    },
    linksFor(events) {
      const links: Link[] = [];
      for (const e of events) {
        const sc = parseTraceparent(e.traceContext);
        if (sc) links.push({ context: sc });
      }
      return links;
    },
    shutdown,
  };
  return tracing;
}

function setAttemptAttributes(span: Span, attempt: Attempt, deliveryStatus: string): void {
  span.setAttributes({
    'hookd.attempt.id': attempt.id,
    'hookd.attempt.code': attempt.code,
    'hookd.attempt.outcome': attempt.outcome,
    'hookd.delivery.status': deliveryStatus,
    'hookd.attempt.duration_ms': attempt.durationMs,
    ...(attempt.responseStatus !== null ? { 'http.response.status_code': attempt.responseStatus } : {}),
  });
  if (attempt.outcome !== 'success') {
    // error.type is the semantic-conventions attribute for "what kind of failure"; the code is stable.
    span.setAttribute('error.type', attempt.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.message ?? attempt.code });
  }
}

export const NOOP_TRACING: Tracing = {
  enabled: false,
  startPublish() {},
  endPublish() {},
  traceAttempt: (_claim, run) => run(),
  dbSpan: (_name, _attributes, run) => run(),
  startSpan: () => ({ span: trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE }), context: context.active() }),
  linksFor: () => [],
  shutdown: async () => {},
};
