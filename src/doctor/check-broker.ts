// The doctor for broker destinations (amqp, nats, mqtt, redis): address and dns from the same
// vetting a delivery uses, tcp, tls for the TLS schemes, then `broker`: the protocol's handshake and
// auth and a signed hookd.ping published to the configured exchange/subject/topic/stream through
// the delivery sender itself, so the doctor's code is the code a delivery would get. Where the
// protocol can tell, it says whether anyone will read the message (an AMQP publish is mandatory: a
// queue must be bound; MQTT says "no matching subscribers").

import { performance } from 'node:perf_hooks';
import type { Endpoint, EndpointAuth } from '../core/types.js';
import type { DestinationRegistry } from '../delivery/destinations/registry.js';
import { checkTcp } from './check-tcp.js';
import { checkTls } from './check-tls.js';
import type { VettedTarget } from './check-address-dns.js';
import type { DoctorDeps } from './doctor-deps.js';
import { sendPing } from './ping-request.js';
import { found, passed, skipped, type DoctorStep, type StepResult } from './report.js';

export interface BrokerStepsInput {
  deps: DoctorDeps;
  registry: DestinationRegistry;
  endpoint: Endpoint;
  auth: EndpointAuth;
  timeoutMs: number;
  connectTimeoutMs: number;
  record: (result: StepResult, durationMs: number) => StepResult;
  skipBecause: (steps: DoctorStep[], failed: StepResult) => void;
}

/** Runs address, dns, tcp, tls, http (skipped), broker, auth; resolves with the publish time when it succeeded. */
export async function runBrokerSteps(input: BrokerStepsInput): Promise<number | null> {
  const { deps, registry, endpoint, record, skipBecause } = input;
  const url = endpoint.url;
  const started = performance.now();
  const vetted = await registry.vet(url);
  const elapsed = performance.now() - started;
  if (vetted === null) throw new Error('runBrokerSteps is for broker URLs only');
  const rest: DoctorStep[] = ['tcp', 'tls', 'http', 'broker', 'auth'];
  if (!vetted.ok) {
    if (vetted.code === 'invalid_url' || vetted.code === 'blocked_address') {
      const address = record(found('address', 'fail', vetted.code, vetted.message, { url }), elapsed);
      skipBecause(['dns', ...rest], address);
    } else {
      record(passed('address', 'The host is a name; its addresses are vetted when it resolves.', { url }), 0);
      const dns = record(found('dns', 'fail', vetted.code, vetted.message, {}), elapsed);
      skipBecause(rest, dns);
    }
    return null;
  }
  const { spec, driver } = vetted;
  if (deps.requireHttps && !spec.secure) {
    const address = record(found('address', 'fail', 'invalid_url', 'Only TLS endpoint URLs are accepted on this server (HOOKD_REQUIRE_HTTPS=true): use amqps://, mqtts://, rediss:// or nats://...?tls=true.', { url }), elapsed);
    skipBecause(['dns', ...rest], address);
    return null;
  }
  record(passed('address', `${spec.hostname} is allowed by the SSRF policy (${vetted.addresses.join(', ')}).`, { host: spec.hostname, port: spec.port, addresses: vetted.addresses, broker: driver.name }), elapsed);
  record(passed('dns', spec.hostname === spec.address ? 'The host is an IP address: nothing to resolve.' : `${spec.hostname} resolves to ${vetted.addresses.join(', ')}.`, { host: spec.hostname, addresses: vetted.addresses }), 0);

  const target: VettedTarget = { url: vetted.url, hostname: spec.hostname, ip: spec.hostname === spec.address ? spec.address : null, port: spec.port, addresses: vetted.addresses };
  const tcpStarted = performance.now();
  const tcp = await checkTcp(target, input.connectTimeoutMs);
  record(tcp.check, performance.now() - tcpStarted);
  if (tcp.connected === null) {
    skipBecause(['tls', 'http', 'broker', 'auth'], tcp.check);
    return null;
  }
  const mtls = input.auth.type === 'mtls' ? input.auth : null;
  if (!spec.secure) {
    record(found('tls', 'warn', 'plain_http', `${vetted.url.protocol.replace(':', '')}:// without TLS: messages and the broker credentials travel unencrypted.`, { protocol: vetted.url.protocol }, 'Use the TLS form of the URL (amqps://, mqtts://, rediss://, nats://...?tls=true) and enable TLS on the broker.'), 0);
  } else if (vetted.url.protocol === 'nats:') {
    // NATS upgrades to TLS after its plain-text INFO line: the handshake is checked by the broker step.
    record(skipped('tls', 'NATS negotiates TLS inside its own protocol; the broker step checks it.', {}), 0);
  } else {
    const tlsStarted = performance.now();
    const tls = await checkTls(target, tcp.connected, {
      connectTimeoutMs: input.connectTimeoutMs,
      now: deps.now(),
      extraCa: [mtls?.ca, deps.extraCa].filter((c): c is string => c !== undefined),
      clientCert: mtls ? { cert: mtls.cert, key: mtls.key } : undefined,
    });
    record(tls, performance.now() - tlsStarted);
    if (tls.status === 'fail') {
      skipBecause(['http', 'broker', 'auth'], tls);
      return null;
    }
  }
  record(skipped('http', `Not an HTTP destination: ${driver.name} is checked by the broker step.`, {}), 0);

  const publishStarted = performance.now();
  const ping = await sendPing(
    { deps, endpoint, authKey: 'doctor:broker', timeoutMs: input.timeoutMs, connectTimeoutMs: input.connectTimeoutMs, tls: mtls ? { cert: mtls.cert, key: mtls.key, ca: mtls.ca } : undefined },
    { withAuth: false },
  );
  const ms = performance.now() - publishStarted;
  const result = ping.result;
  const detail = { broker: driver.name, reply: result.body, durationMs: Math.round(result.durationMs), requestHeaders: ping.requestHeaders };
  if (result.confirmed === true) {
    const nobody = /no matching subscribers/.test(result.body ?? '');
    record(
      nobody
        ? found('broker', 'warn', 'broker_no_route', `${driver.name} accepted the test message, but nobody is subscribed to the topic: it was dropped. ${result.body ?? ''}`, detail, 'Subscribe the consumer (with a persistent session to keep messages while it is away) before events are published.')
        : passed('broker', `${driver.name} accepted the handshake and credentials and confirmed a test publish (a hookd.ping event your consumer will see): ${result.body ?? ''}.`, detail),
      ms,
    );
    record(passed('auth', `${driver.name} accepted the endpoint's credentials${input.auth.type === 'none' ? ' (none configured)' : ''}.`, { type: input.auth.type }), 0);
    return result.durationMs;
  }
  const code = result.errorCode ?? 'network_error';
  const broker = record(found('broker', 'fail', code, result.errorMessage ?? `${driver.name} did not confirm the test message.`, detail), ms);
  if (code === 'broker_auth_failed') {
    const fix = input.auth.type === 'none' ? "The endpoint has no credentials: set its auth to basic with the broker user's name and password." : "Check the endpoint's username and password (or token) and the user's permissions on the target.";
    record(found('auth', 'fail', 'broker_auth_failed', result.errorMessage ?? 'The broker refused the credentials.', { type: input.auth.type }, fix), 0);
  } else skipBecause(['auth'], broker);
  return null;
}
