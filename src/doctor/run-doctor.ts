// runDoctor: the steps of spec section 8 in order, a failed step skipping the steps that depend on
// it, and one diagnosis (first failure, else first warning, else ok). The report is pure data.
//
// Dependencies: address -> dns -> tcp -> tls -> http -> {auth, latency}. `event`, `payload` and `logs`
// read the store and stand alone, so a dead receiver still gets its delivery history summarised.
// Time budget: the tcp and tls probes each get the connect timeout, the HTTP probe the target's
// timeout, and the auth step's second probe (only on a 401/403) another one.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Endpoint, EndpointAuth } from '../core/types.js';
import { generateSecret } from '../signature/index.js';
import type { SendRequest } from '../delivery/sender-types.js';
import { checkAddressAndDns } from './check-address-dns.js';
import { checkAuth } from './check-auth.js';
import { runBrokerSteps } from './check-broker.js';
import { isHttpUrl } from '../delivery/destinations/destination.js';
import { checkEvent } from './check-event.js';
import { checkHttp } from './check-http.js';
import { checkLatency } from './check-latency.js';
import { checkLogs } from './check-logs.js';
import { checkLatestPayload, checkPayloadOfType, type PayloadInput } from './check-payload.js';
import { checkTcp } from './check-tcp.js';
import { checkTls } from './check-tls.js';
import type { DoctorDeps } from './doctor-deps.js';
import { sendPing, type PingContext } from './ping-request.js';
import { pickDiagnosis, skipped, type Check, type Diagnosis, type DoctorReport, type DoctorStep, type StepResult } from './report.js';

export interface DoctorTarget {
  url: string;
  auth?: EndpointAuth | undefined;
  timeoutMs?: number | undefined;
  /** For `ep_...` targets: enables the event, payload and logs steps, and signs with its secrets. */
  endpoint?: Endpoint | undefined;
  /** The caller is an admin: the event step may name other tenants' matching events. Default false. */
  seesOtherTenants?: boolean | undefined;
  method?: 'POST' | undefined;
  /** A payload to check in the payload step (otherwise: the latest delivered event of the endpoint). */
  payload?: PayloadInput | undefined;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_EVENT_WINDOW_MS = 24 * 3_600_000;
const DEFAULT_LOG_LIMIT = 50;
const STATS_WINDOW_MS = 24 * 3_600_000;

/** An endpoint-shaped view of an ad-hoc URL: no tenant, a throwaway signing secret. */
function syntheticEndpoint(target: DoctorTarget, timeoutMs: number, now: number): Endpoint {
  return {
    id: 'doctor_adhoc',
    tenant: null,
    url: target.url,
    description: null,
    eventTypes: null,
    auth: target.auth ?? { type: 'none' },
    secrets: [{ secret: generateSecret(), expiresAt: null }],
    headers: {},
    timeoutMs,
    rateLimitPerSecond: null,
    maxConcurrency: 1,
    retrySchedule: null,
    payloadFormat: 'envelope',
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
}

function joinPem(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  return present.length === 0 ? undefined : present.map((p) => p.trim()).join('\n');
}

export async function runDoctor(deps: DoctorDeps, target: DoctorTarget): Promise<DoctorReport> {
  const checks: Array<StepResult & { durationMs: number }> = [];
  const record = (result: StepResult, durationMs: number): StepResult => {
    checks.push({ ...result, durationMs: Math.round(durationMs) });
    return result;
  };
  const timed = async (fn: () => Promise<StepResult> | StepResult): Promise<StepResult> => {
    const started = performance.now();
    const result = await fn();
    return record(result, performance.now() - started);
  };
  const skipBecause = (steps: DoctorStep[], failed: StepResult): void => {
    for (const step of steps) {
      record(skipped(step, `Skipped: the ${failed.step} step failed (${failed.code}).`, { dependsOn: failed.step, reason: failed.code }), 0);
    }
  };

  const endpoint = target.endpoint;
  const store = deps.store;
  const timeoutMs = target.timeoutMs ?? endpoint?.timeoutMs ?? deps.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const connectTimeoutMs = Math.min(deps.connectTimeoutMs, timeoutMs);
  const probeEndpoint: Endpoint = endpoint
    ? { ...endpoint, url: target.url, auth: target.auth ?? endpoint.auth }
    : syntheticEndpoint(target, timeoutMs, deps.now());
  const auth = probeEndpoint.auth;

  // event
  if (endpoint && store) await timed(() => checkEvent(store, endpoint, deps.now(), deps.eventWindowMs ?? DEFAULT_EVENT_WINDOW_MS, target.seesOtherTenants === true));
  else record(skipped('event', endpoint ? 'Skipped: no store to read events from.' : 'Skipped: an ad-hoc URL has no subscriptions; diagnose an endpoint (ep_...) to check its events.', {}), 0);

  // address, dns, tcp, tls, then http + auth, or the broker steps for a broker URL
  let probeMs: number | null = null;
  if (deps.destinations && !isHttpUrl(target.url)) {
    probeMs = await runBrokerSteps({ deps, registry: deps.destinations, endpoint: probeEndpoint, auth, timeoutMs, connectTimeoutMs, record, skipBecause });
  } else {
    const vetted = await checkAddressAndDns(deps.policy, target.url, deps.requireHttps ?? false);
    for (const step of [vetted.address, vetted.dns]) record(step, step.durationMs);

    const networkSteps: DoctorStep[] = ['tcp', 'tls', 'http', 'auth'];
    if (!vetted.target) {
      const failed = vetted.address.status === 'fail' ? vetted.address : vetted.dns;
      skipBecause(networkSteps, failed);
    } else {
      const vt = vetted.target;
      const tcpStarted = performance.now();
      const tcp = await checkTcp(vt, connectTimeoutMs);
      record(tcp.check, performance.now() - tcpStarted);
      if (tcp.connected === null) {
        skipBecause(['tls', 'http', 'auth'], tcp.check);
      } else {
        const address = tcp.connected;
        const mtls = auth.type === 'mtls' ? auth : null;
        const tls = await timed(() =>
          checkTls(vt, address, {
            connectTimeoutMs,
            now: deps.now(),
            extraCa: [mtls?.ca, deps.extraCa].filter((c): c is string => c !== undefined),
            clientCert: mtls ? { cert: mtls.cert, key: mtls.key } : undefined,
          }),
        );
        if (tls.status === 'fail') {
          skipBecause(['http', 'auth'], tls);
        } else {
          const ca = joinPem(mtls?.ca, deps.extraCa);
          const sendTls: SendRequest['tls'] = mtls ? { cert: mtls.cert, key: mtls.key, ca } : ca ? { ca } : undefined;
          const ping: PingContext = { deps, endpoint: probeEndpoint, authKey: `doctor:${randomUUID()}`, timeoutMs, connectTimeoutMs, tls: sendTls };
          try {
            const httpStarted = performance.now();
            const first = await sendPing(ping, { withAuth: true });
            const http = record(checkHttp(first, vt.url), performance.now() - httpStarted);
            if (first.result.status !== null && first.result.errorCode === null) probeMs = first.result.durationMs;
            await timed(() => checkAuth(ping, first, http.status));
          } finally {
            deps.auth.forget(ping.authKey);
          }
        }
      }
    }
  }

  // payload
  if (target.payload) await timed(() => checkPayloadOfType(store, deps.checker, target.payload!));
  else if (endpoint && store) await timed(() => checkLatestPayload(store, deps.checker, endpoint));
  else record(skipped('payload', 'Skipped: no payload to check (use the payload check with a payload and its event type).', {}), 0);

  // latency
  const stats = endpoint && store ? await store.endpointStats(endpoint.id, deps.now() - STATS_WINDOW_MS, deps.now() + 1) : null;
  const httpCheck = checks.find((c) => c.step === 'http');
  if (httpCheck && httpCheck.status === 'fail') skipBecause(['latency'], httpCheck);
  else if (httpCheck?.status === 'skip' && probeMs === null) record(skipped('latency', 'Skipped: the receiver was not reached.', { dependsOn: 'http' }), 0);
  else record(checkLatency(probeMs, timeoutMs, stats && stats.attempts > 0 ? stats : null), 0);

  // logs
  if (endpoint && store) await timed(() => checkLogs(store, endpoint.id, deps.logLimit ?? DEFAULT_LOG_LIMIT));
  else record(skipped('logs', endpoint ? 'Skipped: no store to read attempts from.' : 'Skipped: an ad-hoc URL has no delivery history.', {}), 0);

  const diagnosis = pickDiagnosis(checks);
  const finalChecks: Check[] = checks.map(({ fix: _fix, ...check }) => check);
  return { target: target.url, ok: !checks.some((c) => c.status === 'fail'), checks: finalChecks, diagnosis };
}

/** `doctor payload`: the payload step alone, as a report of one check. */
export async function runPayloadDoctor(deps: Pick<DoctorDeps, 'checker' | 'store'>, input: PayloadInput): Promise<DoctorReport> {
  const started = performance.now();
  const result = await checkPayloadOfType(deps.store, deps.checker, input);
  const { fix: _fix, ...check } = result;
  return {
    target: input.type === undefined ? 'payload' : `payload of ${input.type}`,
    ok: result.status !== 'fail',
    checks: [{ ...check, durationMs: Math.round(performance.now() - started) }],
    diagnosis: payloadDiagnosis(result),
  };
}

/**
 * A payload check involves no endpoint, so the generic `ok` summary ("The endpoint accepted the
 * webhook.") would be wrong here: a passing payload report says what was checked instead.
 */
export function payloadDiagnosis(result: StepResult): Diagnosis {
  const diagnosis = pickDiagnosis([result]);
  if (diagnosis.code !== 'ok') return diagnosis;
  return { code: 'ok', summary: result.message, fix: result.detail.schemaChecked === false ? 'Nothing to fix; give --type (a catalogued type) or --schema to check the shape too.' : 'Nothing to fix.' };
}
