// The `address` and `dns` steps. Both come from one `policy.vetUrl` call, the same vetting endpoint
// creation and every send use, so the doctor cannot disagree with the dispatcher about what is allowed.
//
// Decision: a host that is a name passes `address` provisionally (a name is not an address) and its
// resolved addresses are vetted with the resolution; if any of them is forbidden, the `address` step
// is the one that fails with blocked_address (the fault is the address, not DNS), and nothing is
// probed. A resolution failure fails `dns`.

import { performance } from 'node:perf_hooks';
import type { SsrfPolicy } from '../delivery/ssrf-policy.js';
import { found, passed, skipped, type StepResult } from './report.js';

export interface VettedTarget {
  url: URL;
  /** Host for SNI, certificate checks and messages (IPv6 without brackets). */
  hostname: string;
  /** Set when the URL's host is an IP literal. */
  ip: string | null;
  port: number;
  /** Addresses that passed the SSRF policy, in resolver order. */
  addresses: string[];
}

export interface AddressDnsResult {
  address: StepResult & { durationMs: number };
  dns: StepResult & { durationMs: number };
  target: VettedTarget | null;
}

export function defaultPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

export async function checkAddressAndDns(policy: SsrfPolicy, rawUrl: string, requireHttps = false): Promise<AddressDnsResult> {
  const started = performance.now();
  const verdict = await policy.vetUrl(rawUrl);
  const elapsed = performance.now() - started;

  if (!verdict.ok && verdict.code === 'invalid_url') {
    return {
      address: { ...found('address', 'fail', 'invalid_url', verdict.message, { url: rawUrl }), durationMs: elapsed },
      dns: { ...skipped('dns', 'Skipped: the URL is not valid.', { dependsOn: 'address' }), durationMs: 0 },
      target: null,
    };
  }
  // vetUrl parsed it, so this cannot throw.
  const url = new URL(rawUrl);
  const { hostname, ip } = policy.parseHost(url);
  const port = defaultPort(url);

  if (requireHttps && url.protocol !== 'https:') {
    const message = 'Only https:// endpoint URLs are accepted on this server (HOOKD_REQUIRE_HTTPS=true).';
    return {
      address: { ...found('address', 'fail', 'invalid_url', message, { url: rawUrl }), durationMs: elapsed },
      dns: { ...skipped('dns', 'Skipped: the URL is not accepted.', { dependsOn: 'address' }), durationMs: 0 },
      target: null,
    };
  }

  if (!verdict.ok && verdict.code === 'blocked_address') {
    return {
      address: {
        ...found('address', 'fail', 'blocked_address', verdict.message, { host: hostname, ip, port }),
        durationMs: elapsed,
      },
      dns: { ...skipped('dns', 'Skipped: the target is not allowed, so it was not probed.', { dependsOn: 'address' }), durationMs: 0 },
      target: null,
    };
  }

  const addressCheck = ip
    ? passed('address', `${ip} is an address the SSRF policy allows.`, { host: hostname, ip, port })
    : verdict.ok
      ? passed('address', `${hostname} resolves only to addresses the SSRF policy allows.`, { host: hostname, port, addresses: verdict.addresses })
      : passed('address', `${hostname} is a host name; its addresses are vetted when it resolves.`, { host: hostname, port });

  if (!verdict.ok) {
    // dns_not_found or dns_failure
    return {
      address: { ...addressCheck, durationMs: ip ? elapsed : 0 },
      dns: { ...found('dns', 'fail', verdict.code, verdict.message, { host: hostname }), durationMs: elapsed },
      target: null,
    };
  }

  const dns = ip
    ? { ...passed('dns', 'The host is an IP address: nothing to resolve.', { host: hostname, addresses: [ip] }), durationMs: 0 }
    : {
        ...passed('dns', `${hostname} resolves to ${verdict.addresses.join(', ')}.`, { host: hostname, addresses: verdict.addresses }),
        durationMs: elapsed,
      };
  return {
    address: { ...addressCheck, durationMs: ip ? elapsed : 0 },
    dns,
    target: { url, hostname, ip, port, addresses: verdict.addresses },
  };
}
