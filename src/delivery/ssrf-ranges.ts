// Which IP addresses are not globally routable, and why. Pure: no DNS, no allowlist (see ssrf-policy.ts).
//
// Hazards this file exists for:
// - ipaddr.js `range()` calls IPv4-compatible `::7f00:1` and ISATAP `::5efe:7f00:1` "unicast", so an
//   "allow only unicast" rule lets loopback through. We use ipaddr.js only to parse and to match
//   CIDRs, and keep our own table of ranges.
// - IPv6 is an allowlist, not a denylist: only the global unicast block 2000::/3 can pass, minus the
//   special blocks inside it. Everything outside it (::/8, fc00::/7, fe80::/10, ff00::/8, 5f00::/16 ...)
//   is refused, so a range IANA adds later outside 2000::/3 is refused by default.
// - Forms that carry an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4, ISATAP) inherit the verdict
//   of the IPv4 address they carry: `::ffff:7f00:1` and `2002:7f00:1::` reach loopback. With a public IPv4
//   inside they are allowed (NAT64 is how IPv6-only hosts behind DNS64 reach IPv4 receivers).
//   IPv4-compatible `::a.b.c.d` (deprecated since RFC 4291), local-use NAT64 64:ff9b:1::/48 (embedding
//   position unknown) and Teredo 2001::/32 (tunnel endpoints, client address obfuscated) are refused.

import ipaddr from 'ipaddr.js';

type Range = readonly [cidr: string, label: string];

// First match wins, so specific entries (metadata, broadcast) come before the blocks that contain them.
const IPV4_BLOCKED: readonly Range[] = [
  ['169.254.169.254/32', 'a cloud metadata address (link-local)'],
  ['169.254.170.2/32', 'a cloud metadata address (link-local, ECS task metadata)'],
  ['100.100.100.200/32', 'a cloud metadata address (carrier-grade NAT range)'],
  ['0.0.0.0/8', 'unspecified ("this network", 0.0.0.0/8)'],
  ['10.0.0.0/8', 'private (RFC 1918, 10.0.0.0/8)'],
  ['100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (169.254.0.0/16)'],
  ['172.16.0.0/12', 'private (RFC 1918, 172.16.0.0/12)'],
  ['192.0.0.0/24', 'reserved for IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1, 192.0.2.0/24)'],
  ['192.88.99.0/24', 'the deprecated 6to4 relay anycast range (192.88.99.0/24)'],
  ['192.168.0.0/16', 'private (RFC 1918, 192.168.0.0/16)'],
  ['198.18.0.0/15', 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2, 198.51.100.0/24)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3, 203.0.113.0/24)'],
  ['224.0.0.0/4', 'multicast (224.0.0.0/4)'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
];

// Checked after the embedded-IPv4 forms, and only reached for addresses inside 2000::/3 or the named
// blocks outside it (which get a precise label instead of the generic "outside 2000::/3").
const IPV6_BLOCKED: readonly Range[] = [
  ['fd00:ec2::254/128', 'a cloud metadata address (AWS IMDS, unique-local)'],
  ['64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['::ffff:0:0:0/96', 'IPv4-translated (::ffff:0:0:0/96)'],
  ['::/8', 'reserved (::/8)'],
  ['100::/64', 'discard-only (100::/64)'],
  ['2001::/32', 'Teredo (2001::/32)'],
  ['2001:db8::/32', 'documentation (2001:db8::/32)'],
  ['2001::/23', 'reserved for IETF protocol assignments (2001::/23)'],
  ['3fff::/20', 'documentation (3fff::/20)'],
  ['5f00::/16', 'segment routing (5f00::/16)'],
  ['fc00::/7', 'unique-local (fc00::/7)'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['fec0::/10', 'site-local (deprecated, fec0::/10)'],
  ['ff00::/8', 'multicast (ff00::/8)'],
];

type Parsed<T> = readonly [T, number, string];
const v4Table: Parsed<ipaddr.IPv4>[] = IPV4_BLOCKED.map(([cidr, label]) => {
  const [net, bits] = ipaddr.IPv4.parseCIDR(cidr);
  return [net, bits, label];
});
const v6Table: Parsed<ipaddr.IPv6>[] = IPV6_BLOCKED.map(([cidr, label]) => {
  const [net, bits] = ipaddr.IPv6.parseCIDR(cidr);
  return [net, bits, label];
});

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Why an IPv4 address is not globally routable, or null when it is. */
export function blockedIPv4Label(addr: ipaddr.IPv4): string | null {
  for (const [net, bits, label] of v4Table) if (addr.match(net, bits)) return label;
  return null;
}

/** Why an IPv6 address is not globally routable, or null when it is. */
export function blockedIPv6Label(addr: ipaddr.IPv6): string | null {
  const p = addr.parts;
  const part = (i: number): number => p[i] ?? 0;
  const zeros = (from: number, to: number): boolean => p.slice(from, to).every((x) => x === 0);
  const embedded = (prefix: string, v4: ipaddr.IPv4): string | null => {
    const inner = blockedIPv4Label(v4);
    return inner === null ? null : `${prefix} ${v4.toString()}, which is ${inner}`;
  };

  if (zeros(0, 8)) return 'unspecified (::)';
  if (zeros(0, 7) && part(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d: the kernel sends these over IPv4 (a connect to ::ffff:7f00:1 reaches 127.0.0.1).
  if (zeros(0, 5) && part(5) === 0xffff) return embedded('an IPv4-mapped form of', v4FromParts(part(6), part(7)));
  // 64:ff9b::/96 (RFC 6052): the NAT64 gateway forwards to the IPv4 address in the low 32 bits.
  if (part(0) === 0x64 && part(1) === 0xff9b && zeros(2, 6)) {
    return embedded('a NAT64 form (64:ff9b::/96) of', v4FromParts(part(6), part(7)));
  }
  // ::a.b.c.d, deprecated; refused whatever it carries. ipaddr.js calls it unicast.
  if (zeros(0, 6)) return `an IPv4-compatible form of ${v4FromParts(part(6), part(7)).toString()} (deprecated, ::/96)`;
  // ISATAP interface identifier (RFC 5214): 0000:5efe or 0200:5efe, then the IPv4 address, under any
  // /64 prefix. ipaddr.js calls ::5efe:7f00:1 unicast.
  if ((part(4) & 0xfdff) === 0 && part(5) === 0x5efe) {
    const label = embedded('an ISATAP address embedding', v4FromParts(part(6), part(7)));
    if (label !== null) return label;
  }
  // 2002:AABB:CCDD::/48 (6to4): the relay forwards to AA.BB.CC.DD.
  if (part(0) === 0x2002) return embedded('a 6to4 address (2002::/16) embedding', v4FromParts(part(1), part(2)));

  for (const [net, bits, label] of v6Table) if (addr.match(net, bits)) return label;
  if ((part(0) & 0xe000) !== 0x2000) return 'outside the global unicast range (2000::/3)';
  return null;
}

/**
 * Parse an IP address. ipaddr.js reads the IPv4-compatible `::127.0.0.1` as IPv4-mapped
 * `::ffff:7f00:1`, and glibc's inet_ntop prints compatible addresses that way, so a dotted IPv4 tail
 * is rewritten to two hex groups first. IPv4 also accepts the inet_aton spellings (2130706433, 127.1),
 * which getaddrinfo would accept too. Throws on anything else.
 */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (!text.includes(':')) return ipaddr.IPv4.parse(text);
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail === null) return ipaddr.IPv6.parse(text);
  const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((x) => x > 255)) throw new Error(`invalid IPv6 address: ${text}`);
  const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  return ipaddr.IPv6.parse(text.slice(0, tail.index) + hex);
}

/** Why an address is not globally routable, or null when it is. */
export function blockedAddressLabel(addr: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  return addr.kind() === 'ipv4' ? blockedIPv4Label(addr as ipaddr.IPv4) : blockedIPv6Label(addr as ipaddr.IPv6);
}
