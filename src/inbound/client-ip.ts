// Who is calling the ingress, and may they? The client address is the socket peer, unless that peer
// is one of the operator's trusted proxies; only then is X-Forwarded-For read, from the right.
//
// Hazards:
// - X-Forwarded-For is written by the client first: trusting it from anyone lets every caller claim an
//   allow-listed address. It is honoured only when the socket peer is a configured trusted proxy, and
//   then walked right to left, skipping trusted hops: the first untrusted address is the client (the
//   leftmost entries were written by whoever the client was, and are worthless).
// - ipaddr.js `isValid` accepts inet_aton spellings (`127.1`, `2130706433`, `0x7f.1`); entries are
//   vetted with net.isIP first, so only canonical dotted-quad and IPv6 text parse.
// - Node reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`; addresses are unwrapped to
//   IPv4 before matching so that `10.0.0.0/8` in an allowlist matches them.
// - An entry that does not parse stops the walk and yields "unknown": with an allowlist configured the
//   request is refused, rather than falling back to an address that was not the client's.

import net from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Address, number];

/** Parse an IP address strictly (no inet_aton forms), IPv4-mapped IPv6 unwrapped to IPv4. */
export function parseAddress(text: string): Address | null {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1');
  // Zone ids (fe80::1%eth0) are meaningless across hosts; refuse them in configuration and headers.
  if (bare.includes('%') || net.isIP(bare) === 0) return null;
  try {
    return ipaddr.process(bare);
  } catch {
    return null;
  }
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Null when it does not parse. */
export function parseCidr(text: string): Cidr | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === null) return null;
  const maxBits = address.kind() === 'ipv4' ? 32 : 128;
  if (slash < 0) return [address, maxBits];
  const bitsText = trimmed.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  // `::ffff:10.0.0.0/104` was unwrapped to IPv4 above: move the prefix length along with it.
  if (address.kind() === 'ipv4' && net.isIPv6(addressText.replace(/^\[(.*)\]$/, '$1'))) bits -= 96;
  if (bits < 0 || bits > maxBits) return null;
  return [address, bits];
}

/** Parse a list of CIDRs; throws with the offending entry so configuration errors surface early. */
export function parseCidrList(list: readonly string[]): Cidr[] {
  return list.map((entry) => {
    const cidr = parseCidr(entry);
    if (cidr === null) throw new RangeError(`Not an IP address or CIDR range: ${JSON.stringify(entry)}`);
    return cidr;
  });
}

export function inRanges(address: Address, ranges: readonly Cidr[]): boolean {
  return ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
}

/** The most hops of X-Forwarded-For we walk; a longer header is someone padding it. */
const MAX_FORWARDED_HOPS = 32;

/**
 * The client's address as text, or null when it cannot be determined. `forwardedFor` is the raw
 * X-Forwarded-For value (node joins repeated header lines with ", ", which is the same list).
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly Cidr[]): string | null {
  // The socket's own zone id is local information, not part of the peer's address.
  const peer = socketAddress === undefined ? null : parseAddress(socketAddress.replace(/%.*$/, ''));
  if (peer === null) return null;
  if (forwardedFor === undefined || trustedProxies.length === 0 || !inRanges(peer, trustedProxies)) return peer.toString();
  const hops = forwardedFor.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
  if (hops.length > MAX_FORWARDED_HOPS) return null;
  let client: Address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (hop === null) return null;
    client = hop;
    if (!inRanges(hop, trustedProxies)) break;
  }
  return client.toString();
}

export type IpVerdict = { ok: true } | { ok: false; reason: string };

/** Allowlist check; `allowIps` null or empty means no restriction. */
export function checkAllowlist(client: string | null, allowIps: readonly Cidr[] | null): IpVerdict {
  if (allowIps === null || allowIps.length === 0) return { ok: true };
  if (client === null) return { ok: false, reason: 'The client address could not be determined (malformed X-Forwarded-For from a trusted proxy).' };
  const address = parseAddress(client);
  if (address !== null && inRanges(address, allowIps)) return { ok: true };
  return { ok: false, reason: `The client address ${client} is not in the source's allowIps.` };
}
