// The SSRF policy (spec section 6): which addresses hookd may connect to, URL vetting at endpoint
// create/update and in the doctor, and the pinned DNS lookup used on every connection.
//
// Decisions and hazards:
// - A name is rejected as a whole if ANY of its addresses is forbidden (Hook0, GitLab). Svix filters
//   the bad ones out instead; rejecting is stricter and makes a half-private name visible to the user.
// - The allowlist (HOOKD_ALLOW_PRIVATE) is exact: an address is allowed when it lies in a listed CIDR of
//   its own family. Embedded forms are not unwrapped for it, so allowing 127.0.0.1/32 does not allow
//   ::ffff:127.0.0.1, 127.0.0.2 or ::1 (GitLab #293733: one entry must not switch checks off).
// - DNS rebinding: vetUrl's answer is advisory. What protects a send is `pinnedLookup`, which resolves
//   once per connection and hands net.connect only the addresses it vetted, so the socket dials exactly
//   what was checked. IP-literal hosts never reach a lookup function (net.connect skips it), so the
//   sender checks them itself before connecting, and checks the socket's remote address after.
// - Fail closed: a DNS error or timeout is an error, never "skip the check".
// - All ports are allowed; the policy is about addresses.

import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { blockedAddressLabel, parseIp } from './ssrf-ranges.js';

/** A resolver with the signature of `dns.lookup(host, { all: true }, cb)`; injectable for tests. */
export type LookupFunction = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type VetResult =
  | { ok: true; url: URL; addresses: string[] }
  | { ok: false; code: 'invalid_url' | 'blocked_address' | 'dns_not_found' | 'dns_failure'; message: string };

export type HostVetResult =
  | { ok: true; hostname: string; addresses: string[] }
  | { ok: false; code: 'blocked_address' | 'dns_not_found' | 'dns_failure'; message: string };

export interface ParsedHost {
  /** Host name for DNS, SNI and logs: lower-cased, IPv6 without brackets, IPv4 in dotted decimal. */
  hostname: string;
  /** The IP address when the host is an IP literal (in any spelling), else null. */
  ip: string | null;
}

export interface SsrfPolicy {
  checkAddress(ip: string): AddressVerdict;
  parseHost(url: string | URL): ParsedHost;
  vetUrl(url: string): Promise<VetResult>;
  /** The host part of vetUrl, for destinations that are not HTTP (brokers): the same rules and codes. */
  vetHost(url: URL): Promise<HostVetResult>;
  /** For undici `connect.lookup` / net.connect: answers only with vetted addresses, else ESSRFBLOCKED. */
  pinnedLookup: net.LookupFunction;
}

export interface SsrfPolicyOptions {
  /** CIDRs opened by the operator, e.g. '127.0.0.1/32', '::1/128', '10.0.0.0/8'. */
  allowPrivate: string[];
  lookup?: LookupFunction | undefined;
  /** getaddrinfo has no timeout of its own; default 10 s. */
  dnsTimeoutMs?: number | undefined;
}

const POLICY_SUFFIX = '(blocked by the SSRF policy; allow with HOOKD_ALLOW_PRIVATE)';

/** Parse a comma- or space-separated CIDR list; a bare IP means a single host. Throws naming the bad entry. */
export function parseCidrList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map(normaliseCidr);
}

function normaliseCidr(entry: string): string {
  const bad = (why: string): Error =>
    new Error(`Invalid CIDR "${entry}" in the private-address allowlist: ${why} (expected e.g. 10.0.0.0/8 or ::1/128)`);
  const slash = entry.indexOf('/');
  const ip = slash === -1 ? entry : entry.slice(0, slash);
  // net.isIP, not ipaddr.isValid: the latter accepts inet_aton spellings like 2130706433 or 127.1,
  // which have no place in an operator's config.
  const family = net.isIP(ip);
  if (family === 0) throw bad(`"${ip}" is not an IPv4 or IPv6 address`);
  const max = family === 4 ? 32 : 128;
  const bitsText = slash === -1 ? String(max) : entry.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= max)) throw bad(`the prefix length must be 0-${max}`);
  return `${parseIp(ip).toString()}/${bits}`;
}

/** Normalise a URL's host. WHATWG URL already turns 2130706433, 0x7f.1, 0177.0.0.1, 127.1 into 127.0.0.1. */
export function parseHost(url: string | URL): ParsedHost {
  const raw = (typeof url === 'string' ? new URL(url) : url).hostname.toLowerCase();
  const bare = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (net.isIP(bare) !== 0) return { hostname: bare, ip: bare };
  // Defensive: a host that skipped WHATWG normalisation but that getaddrinfo (inet_aton) would read as
  // IPv4, e.g. "0x7f.1". Resolution would be vetted anyway; naming it as an IP keeps messages exact.
  if (ipaddr.IPv4.isValid(bare)) {
    const ip = ipaddr.IPv4.parse(bare).toString();
    return { hostname: ip, ip };
  }
  return { hostname: bare, ip: null };
}

function blockedError(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: 'ESSRFBLOCKED' });
}

export function createSsrfPolicy(options: SsrfPolicyOptions): SsrfPolicy {
  const allow = options.allowPrivate.map((cidr) => ipaddr.parseCIDR(normaliseCidr(cidr)));
  const lookup: LookupFunction = options.lookup ?? ((host, opts, cb) => dns.lookup(host, opts, cb));
  const dnsTimeoutMs = options.dnsTimeoutMs ?? 10_000;

  function checkAddress(ip: string): AddressVerdict {
    const text = ip.replace(/%.*$/, ''); // zone id (fe80::1%eth0) says nothing about the range
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      if (net.isIP(text) === 0 && !ipaddr.IPv4.isValid(text)) throw new Error('not an IP address');
      addr = parseIp(text);
    } catch {
      return { allowed: false, reason: `${ip} is not an IP address (blocked by the SSRF policy)` };
    }
    for (const [range, bits] of allow) {
      if (addr.kind() === range.kind() && addr.match(range, bits)) return { allowed: true };
    }
    const label = blockedAddressLabel(addr);
    if (label === null) return { allowed: true };
    const canonical = addr.toString();
    const shown = addr.kind() === 'ipv4' && canonical !== text ? `${text} (${canonical})` : text;
    return { allowed: false, reason: `${shown} is ${label} ${POLICY_SUFFIX}` };
  }

  /** Resolve all addresses with a deadline; rejects with the resolver's error (ENOTFOUND, EAI_AGAIN ...). */
  function resolveAll(hostname: string, options: { family: number; hints?: number | undefined }): Promise<dns.LookupAddress[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(Object.assign(new Error(`DNS lookup of ${hostname} timed out after ${dnsTimeoutMs} ms`), {
          code: 'ETIMEOUT',
          syscall: 'getaddrinfo',
          hostname,
        }));
      }, dnsTimeoutMs);
      const query: dns.LookupAllOptions = { all: true, family: options.family };
      if (options.hints !== undefined) query.hints = options.hints;
      lookup(hostname, query, (err, addresses) => {
        clearTimeout(timer);
        if (err) reject(err);
        else if (addresses.length === 0) {
          reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
        } else resolve(addresses);
      });
    });
  }

  /** The first forbidden address of a resolution, as an ESSRFBLOCKED error; null when all pass. */
  function vetAddresses(hostname: string, addresses: readonly dns.LookupAddress[]): NodeJS.ErrnoException | null {
    for (const { address } of addresses) {
      const verdict = checkAddress(address);
      if (!verdict.allowed) return blockedError(`${hostname} resolves to a blocked address: ${verdict.reason}`);
    }
    return null;
  }

  async function vetUrl(input: string): Promise<VetResult> {
    // WHATWG URL silently drops tabs and newlines and trims spaces; refuse them rather than guess.
    if ([...input].some((ch) => ch <= ' ' || ch === '\u007f')) {
      return { ok: false, code: 'invalid_url', message: 'The URL contains whitespace or control characters.' };
    }
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return { ok: false, code: 'invalid_url', message: `"${input}" is not a valid absolute URL.` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, code: 'invalid_url', message: `Only http and https URLs are allowed, not ${url.protocol}` };
    }
    if (url.username !== '' || url.password !== '') {
      return {
        ok: false,
        code: 'invalid_url',
        message: 'The URL contains credentials (user:password@); use the endpoint auth settings instead.',
      };
    }
    const host = await vetHost(url);
    return host.ok ? { ok: true, url, addresses: host.addresses } : host;
  }

  async function vetHost(url: URL): Promise<HostVetResult> {
    const { hostname, ip } = parseHost(url);
    if (ip !== null) {
      const verdict = checkAddress(ip);
      return verdict.allowed
        ? { ok: true, hostname, addresses: [ip] }
        : { ok: false, code: 'blocked_address', message: verdict.reason };
    }
    let addresses: dns.LookupAddress[];
    try {
      addresses = await resolveAll(hostname, { family: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = err instanceof Error ? err.message : String(err);
      return code === 'ENOTFOUND' || code === 'ENODATA'
        ? { ok: false, code: 'dns_not_found', message: `The host name ${hostname} does not exist (${message}).` }
        : { ok: false, code: 'dns_failure', message: `The host name ${hostname} could not be resolved (${message}).` };
    }
    const blocked = vetAddresses(hostname, addresses);
    if (blocked) return { ok: false, code: 'blocked_address', message: blocked.message };
    return { ok: true, hostname, addresses: addresses.map((a) => a.address) };
  }

  const pinnedLookup: net.LookupFunction = (hostname, opts, callback) => {
    const family = opts.family === 4 || opts.family === 6 ? opts.family : 0;
    resolveAll(hostname, { family, hints: opts.hints }).then(
      (addresses) => {
        const blocked = vetAddresses(hostname, addresses);
        if (blocked) return callback(blocked, '', 0);
        // net.connect asks for all addresses when autoSelectFamily (happy eyeballs) is on.
        if (opts.all) return callback(null, addresses);
        const first = addresses[0];
        if (first === undefined) return callback(blockedError(`${hostname} has no address`), '', 0);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  return { checkAddress, parseHost, vetUrl, vetHost, pinnedLookup };
}
