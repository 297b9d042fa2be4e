import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createSsrfPolicy, parseCidrList, parseHost } from '../src/delivery/ssrf-policy.js';
import { dnsError, scriptedLookup } from './helpers/delivery-fixtures.js';

const strict = createSsrfPolicy({ allowPrivate: [] });

// [address, what the reason must say]. Each is refused by default and allowed by an allowlist entry
// covering exactly that address.
const BLOCKED: [string, string][] = [
  ['127.0.0.1', 'is loopback'],
  ['127.0.0.2', 'is loopback'],
  ['127.255.255.254', 'is loopback'],
  ['10.0.0.1', 'private (RFC 1918'],
  ['172.16.0.1', 'private (RFC 1918'],
  ['172.31.255.255', 'private (RFC 1918'],
  ['192.168.1.1', 'private (RFC 1918'],
  ['169.254.169.254', 'cloud metadata'],
  ['169.254.170.2', 'cloud metadata'],
  ['169.254.1.1', 'link-local'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved (240.0.0.0/4)'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.1', 'benchmarking'],
  ['192.0.0.1', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.1', 'documentation'],
  ['203.0.113.1', 'documentation'],
  ['192.88.99.1', '6to4 relay'],
  ['::1', 'is loopback'],
  ['::', 'unspecified'],
  ['::ffff:127.0.0.1', 'IPv4-mapped form of 127.0.0.1, which is loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped form of 127.0.0.1'],
  ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped form of 127.0.0.1'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped form of 169.254.169.254, which is a cloud metadata'],
  ['::ffff:10.1.2.3', 'IPv4-mapped form of 10.1.2.3'],
  ['::ffff:0.0.0.0', 'IPv4-mapped form of 0.0.0.0'],
  ['::ffff:0:7f00:1', 'IPv4-translated'],
  ['::127.0.0.1', 'IPv4-compatible form of 127.0.0.1'],
  ['::7f00:1', 'IPv4-compatible form of 127.0.0.1'], // ipaddr.js: "unicast"
  ['::808:808', 'IPv4-compatible form of 8.8.8.8'], // deprecated form: refused whatever it carries
  ['::8.8.8.8', 'IPv4-compatible form of 8.8.8.8'], // ipaddr.js parses this as ::ffff:8.8.8.8
  ['::5efe:7f00:1', 'ISATAP address embedding 127.0.0.1'], // ipaddr.js: "unicast"
  ['::200:5efe:7f00:1', 'ISATAP address embedding 127.0.0.1'],
  ['fe80::5efe:a9fe:a9fe', 'ISATAP address embedding 169.254.169.254'],
  ['2600::200:5efe:a00:1', 'ISATAP address embedding 10.0.0.1'],
  ['::5efe:808:808', 'reserved (::/8)'],
  ['64:ff9b::7f00:1', 'NAT64 form (64:ff9b::/96) of 127.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 form (64:ff9b::/96) of 169.254.169.254'],
  ['64:ff9b::10.0.0.1', 'NAT64 form (64:ff9b::/96) of 10.0.0.1'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  ['2002:7f00:1::1', '6to4 address (2002::/16) embedding 127.0.0.1'],
  ['2002:a9fe:a9fe::', '6to4 address (2002::/16) embedding 169.254.169.254'],
  ['2002:c0a8:101::1', '6to4 address (2002::/16) embedding 192.168.1.1'],
  ['2001::1', 'Teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001:2::1', 'IETF protocol assignments'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'cloud metadata'],
  ['ff02::1', 'multicast'],
  ['ff0e::1', 'multicast'],
  ['5f00::1', 'segment routing'],
  ['100::1', 'discard-only'],
  ['4000::1', 'outside the global unicast range'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '192.31.196.1', // AS112: odd, but globally reachable
  '2606:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8', // mapped forms inherit the verdict of the IPv4 they carry
  '64:ff9b::808:808', // NAT64 to a public address: how IPv6-only hosts behind DNS64 reach IPv4 receivers
  '2002:808:808::1',
  '2600::200:5efe:808:808',
];

describe('checkAddress', () => {
  it.each(BLOCKED)('refuses %s (%s)', (ip, why) => {
    const verdict = strict.checkAddress(ip);
    expect(verdict.allowed).toBe(false);
    if (verdict.allowed) return;
    expect(verdict.reason).toContain(why);
    expect(verdict.reason).toContain(ip);
    expect(verdict.reason).toContain('blocked by the SSRF policy; allow with HOOKD_ALLOW_PRIVATE');
  });

  it.each(BLOCKED)('allows %s when the allowlist covers it', (ip) => {
    const cidr = ip.includes(':') ? `${ip}/128` : `${ip}/32`;
    expect(createSsrfPolicy({ allowPrivate: [cidr] }).checkAddress(ip)).toEqual({ allowed: true });
  });

  it.each(PUBLIC)('allows the public address %s (classification only, no connection)', (ip) => {
    expect(strict.checkAddress(ip)).toEqual({ allowed: true });
  });

  it('names the exact example reason', () => {
    expect(strict.checkAddress('127.0.0.1')).toEqual({
      allowed: false,
      reason: '127.0.0.1 is loopback (blocked by the SSRF policy; allow with HOOKD_ALLOW_PRIVATE)',
    });
  });

  it('reads inet_aton spellings and shows the canonical address', () => {
    for (const spelling of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1']) {
      const verdict = strict.checkAddress(spelling);
      expect(verdict).toEqual({ allowed: false, reason: expect.stringContaining(`${spelling} (127.0.0.1) is loopback`) });
    }
  });

  it('refuses what is not an IP address and ignores IPv6 zone ids', () => {
    expect(strict.checkAddress('example.com').allowed).toBe(false);
    expect(strict.checkAddress('').allowed).toBe(false);
    expect(strict.checkAddress('fe80::1%eth0')).toEqual({ allowed: false, reason: expect.stringContaining('link-local') });
  });

  it('applies the allowlist exactly: one entry does not open its neighbours or other spellings (F-12)', () => {
    const policy = createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'] });
    expect(policy.checkAddress('127.0.0.1').allowed).toBe(true);
    for (const ip of ['127.0.0.2', '::1', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::1', '10.0.0.1']) {
      expect(policy.checkAddress(ip).allowed, ip).toBe(false);
    }
    const range = createSsrfPolicy({ allowPrivate: ['10.0.0.0/8', 'fd00::/8'] });
    expect(range.checkAddress('10.200.3.4').allowed).toBe(true);
    expect(range.checkAddress('fd12::1').allowed).toBe(true);
    expect(range.checkAddress('172.16.0.1').allowed).toBe(false);
    expect(range.checkAddress('169.254.169.254').allowed).toBe(false);
  });
});

describe('parseCidrList', () => {
  it('parses comma and space separated entries, bare addresses as single hosts', () => {
    expect(parseCidrList(' 127.0.0.1/32, ::1/128 10.0.0.0/8,,192.168.1.5 ')).toEqual([
      '127.0.0.1/32',
      '::1/128',
      '10.0.0.0/8',
      '192.168.1.5/32',
    ]);
    expect(parseCidrList('0:0:0:0:0:0:0:1')).toEqual(['::1/128']);
    expect(parseCidrList('')).toEqual([]);
  });

  it.each([
    ['banana', '"banana"'],
    ['10.0.0.0/33', '0-32'],
    ['::1/129', '0-128'],
    ['10.0.0.0/', '0-32'],
    ['10.0.0.0/8x', '0-32'],
    ['2130706433/32', '"2130706433" is not an IPv4 or IPv6 address'],
    ['127.1', '"127.1"'],
  ])('rejects %s naming the entry', (value, detail) => {
    expect(() => parseCidrList(`127.0.0.1/32,${value}`)).toThrow(detail);
    expect(() => parseCidrList(value)).toThrow(`Invalid CIDR "${value}"`);
  });

  it('createSsrfPolicy refuses a bad allowlist entry', () => {
    expect(() => createSsrfPolicy({ allowPrivate: ['10.0.0.0/8', 'nope'] })).toThrow('Invalid CIDR "nope"');
  });
});

describe('parseHost', () => {
  // WHATWG URL normalises all of these to dotted decimal, verified on Node 20.20.2.
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://①②⑦.0.0.1/', '127.0.0.1'],
    ['http://127。0。0。1/', '127.0.0.1'],
    ['http://0251.0376.0251.0376/', '169.254.169.254'],
    ['http://0/', '0.0.0.0'],
    ['http://[::1]:8080/', '::1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', '::ffff:7f00:1'],
    ['http://[::5efe:7f00:1]/', '::5efe:7f00:1'],
  ])('%s is the IP literal %s', (url, ip) => {
    expect(parseHost(url)).toEqual({ hostname: ip, ip });
  });

  it('keeps names as names, lower-cased', () => {
    expect(parseHost('https://CRM.Example.com/x')).toEqual({ hostname: 'crm.example.com', ip: null });
    expect(parseHost(new URL('http://localhost./'))).toEqual({ hostname: 'localhost.', ip: null });
  });
});

describe('vetUrl', () => {
  it('refuses a name if any of its addresses is forbidden (whole name, not filtered)', async () => {
    const policy = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(['93.184.216.34', '127.0.0.1']) });
    const result = await policy.vetUrl('https://crm.example.com/hooks');
    expect(result).toEqual({ ok: false, code: 'blocked_address', message: expect.stringContaining('127.0.0.1 is loopback') });
    if (!result.ok) expect(result.message).toContain('crm.example.com resolves to a blocked address');
  });

  it('accepts a name whose addresses are all public, returning them', async () => {
    const policy = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(['93.184.216.34', '2606:4700::1111']) });
    const result = await policy.vetUrl('https://crm.example.com/hooks?x=1');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.addresses).toEqual(['93.184.216.34', '2606:4700::1111']);
      expect(result.url.href).toBe('https://crm.example.com/hooks?x=1');
    }
  });

  it.each([
    ['https://user:pass@example.com/', 'credentials'],
    ['https://user@example.com/', 'credentials'],
    ['http://evil.com@127.0.0.1/', 'credentials'],
    ['ftp://example.com/file', 'not ftp:'],
    ['file:///etc/passwd', 'not file:'],
    ['gopher://example.com/', 'not gopher:'],
    ['ws://example.com/', 'not ws:'],
    ['javascript:alert(1)', 'not javascript:'],
    ['data:text/plain,hi', 'not data:'],
    ['not a url', 'whitespace'],
    ['/relative/path', 'not a valid absolute URL'],
    ['http://exa\nmple.com/', 'control characters'],
    ['http://example.com/\t', 'control characters'],
    ['http://[fe80::1%25eth0]/', 'not a valid absolute URL'],
  ])('refuses %s as invalid_url', async (url, detail) => {
    const lookup = scriptedLookup(['93.184.216.34']);
    const result = await createSsrfPolicy({ allowPrivate: [], lookup }).vetUrl(url);
    expect(result).toEqual({ ok: false, code: 'invalid_url', message: expect.stringContaining(detail) });
    expect(lookup.calls).toEqual([]);
  });

  it.each([
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://0251.0376.0251.0376/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::1]/',
    'http://[::5efe:7f00:1]/',
    'http://0/',
  ])('refuses the IP literal %s without any lookup', async (url) => {
    const lookup = scriptedLookup(['93.184.216.34']);
    const result = await createSsrfPolicy({ allowPrivate: [], lookup }).vetUrl(url);
    expect(result.ok === false && result.code).toBe('blocked_address');
    expect(lookup.calls).toEqual([]);
  });

  it('refuses localhost through the real resolver (/etc/hosts)', async () => {
    const result = await strict.vetUrl('http://localhost:8080/');
    expect(result.ok === false && result.code).toBe('blocked_address');
  });

  it('reports a .invalid name as dns_not_found with the real resolver (answered locally, no network)', async () => {
    const result = await strict.vetUrl('https://hookd-test.invalid/');
    expect(result).toEqual({ ok: false, code: 'dns_not_found', message: expect.stringContaining('hookd-test.invalid') });
  });

  it('reports resolver failures as dns_failure, an empty answer as dns_not_found', async () => {
    const failing = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(dnsError('EAI_AGAIN', 'x.test')) });
    expect(await failing.vetUrl('https://x.test/')).toMatchObject({ ok: false, code: 'dns_failure' });
    const empty = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup([]) });
    expect(await empty.vetUrl('https://x.test/')).toMatchObject({ ok: false, code: 'dns_not_found' });
  });

  it('fails closed when the resolver never answers', async () => {
    const hanging = createSsrfPolicy({ allowPrivate: [], lookup: () => {}, dnsTimeoutMs: 50 });
    expect(await hanging.vetUrl('https://slow.test/')).toEqual({
      ok: false,
      code: 'dns_failure',
      message: expect.stringContaining('timed out after 50 ms'),
    });
  });

  it('accepts a private target the operator allowed', async () => {
    const policy = createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'], lookup: scriptedLookup(['127.0.0.1']) });
    expect(await policy.vetUrl('http://receiver.test:8080/')).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
    expect(await policy.vetUrl('http://127.0.0.1:8080/')).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
  });
});

describe('pinnedLookup', () => {
  function lookupVia(policy: ReturnType<typeof createSsrfPolicy>, host: string, options: { all?: boolean; family?: number }) {
    return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number | undefined }>(
      (resolve) => {
        policy.pinnedLookup(host, options, (err, address, family) => resolve({ err, address, family }));
      },
    );
  }

  it('answers with the vetted addresses, in both calling conventions', async () => {
    const policy = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(['93.184.216.34', '2606:4700::1111']) });
    expect(await lookupVia(policy, 'a.test', { all: true })).toMatchObject({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ],
    });
    expect(await lookupVia(policy, 'a.test', {})).toMatchObject({ err: null, address: '93.184.216.34', family: 4 });
  });

  it('refuses with ESSRFBLOCKED when any address is forbidden', async () => {
    const policy = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(['93.184.216.34', '10.0.0.7']) });
    const { err } = await lookupVia(policy, 'a.test', { all: true });
    expect(err?.code).toBe('ESSRFBLOCKED');
    expect(err?.message).toContain('a.test resolves to a blocked address: 10.0.0.7 is private');
  });

  it('passes resolver errors through (they are classified by the sender)', async () => {
    const policy = createSsrfPolicy({ allowPrivate: [], lookup: scriptedLookup(dnsError('ENOTFOUND', 'a.test')) });
    expect((await lookupVia(policy, 'a.test', { all: true })).err?.code).toBe('ENOTFOUND');
  });

  it('resolves again on every call: a rebinding answer after vetUrl is caught at connect time', async () => {
    const lookup = scriptedLookup(['93.184.216.34'], ['127.0.0.1']);
    const policy = createSsrfPolicy({ allowPrivate: [], lookup });
    expect((await policy.vetUrl('https://rebind.test/')).ok).toBe(true);
    const { err } = await lookupVia(policy, 'rebind.test', { all: true });
    expect(err?.code).toBe('ESSRFBLOCKED');
    expect(lookup.calls).toEqual(['rebind.test', 'rebind.test']);
  });

  it('passes the requested family to the resolver', async () => {
    const seen: unknown[] = [];
    const policy = createSsrfPolicy({
      allowPrivate: [],
      lookup: (_host, options, callback) => {
        seen.push(options);
        callback(null, [{ address: '93.184.216.34', family: 4 }]);
      },
    });
    await lookupVia(policy, 'a.test', { family: 4 });
    expect(seen).toEqual([{ all: true, family: 4 }]);
  });
});
