// The pure pieces of the ingress: client address and allowlist, JSON pointers, content types, UTF-8
// validation, delivery ids, header redaction, credential checks.

import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAllowlist, clientAddress, parseCidr, parseCidrList } from '../src/inbound/client-ip.js';
import { classifyContentType } from '../src/inbound/content-type.js';
import { decodeBody } from '../src/inbound/decode-body.js';
import { firstInvalidUtf8 } from '../src/core/utf8.js';
import { dedupeKey } from '../src/inbound/dedupe-key.js';
import { deriveEventType, parsePointer, resolvePointer } from '../src/inbound/event-type-rule.js';
import { logBody, redactHeaders } from '../src/inbound/redact-inbound.js';
import { verifyRequest } from '../src/inbound/verify-request.js';

describe('client address', () => {
  const proxies = parseCidrList(['10.0.0.0/8', '::1']);
  it('is the socket peer unless the peer is a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, proxies)).toBe('203.0.113.9');
    expect(clientAddress('10.1.1.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.1.1.1', '198.51.100.1, 203.0.113.5', proxies)).toBe('203.0.113.5');
    expect(clientAddress('10.1.1.1', '198.51.100.1, 10.2.2.2', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.1.1.1', '10.3.3.3, 10.2.2.2', proxies)).toBe('10.3.3.3');
    expect(clientAddress('::1', '[2001:db8::1]', proxies)).toBe('2001:db8::1');
    expect(clientAddress('10.1.1.1', '0x7f.1', proxies)).toBeNull();
    expect(clientAddress('10.1.1.1', Array.from({ length: 40 }, () => '10.0.0.1').join(','), proxies)).toBeNull();
    expect(clientAddress(undefined, undefined, proxies)).toBeNull();
  });

  it('parses CIDRs strictly, unwrapping IPv4-mapped ranges', () => {
    expect(parseCidr('2130706433')).toBeNull();
    expect(parseCidr('127.1')).toBeNull();
    expect(parseCidr('10.0.0.0/8')).not.toBeNull();
    expect(parseCidr('10.0.0.0/08')).not.toBeNull();
    expect(parseCidr('10.0.0.0/-1')).toBeNull();
    expect(parseCidr('fe80::1%eth0')).toBeNull();
    expect(checkAllowlist('10.9.9.9', parseCidrList(['::ffff:10.0.0.0/104']))).toEqual({ ok: true });
    expect(checkAllowlist('11.0.0.1', parseCidrList(['::ffff:10.0.0.0/104'])).ok).toBe(false);
    expect(checkAllowlist(null, parseCidrList(['10.0.0.0/8'])).ok).toBe(false);
    expect(checkAllowlist(null, null)).toEqual({ ok: true });
    expect(() => parseCidrList(['nope'])).toThrow(/nope/);
  });

  it('never throws on arbitrary X-Forwarded-For values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('10.0.0.1', '203.0.113.1', '::1', 'junk'), (xff, peer) => {
        const client = clientAddress(peer, xff, proxies);
        expect(client === null || typeof client === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('JSON pointer (RFC 6901)', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };
  it('resolves the examples of RFC 6901 section 5', () => {
    const cases: Array<[string, unknown]> = [
      ['', doc], ['/foo', ['bar', 'baz']], ['/foo/0', 'bar'], ['/', 0], ['/a~1b', 1], ['/c%d', 2], ['/e^f', 3],
      ['/g|h', 4], ['/i\\j', 5], ['/k"l', 6], ['/ ', 7], ['/m~0n', 8],
    ];
    for (const [pointer, value] of cases) expect(resolvePointer(doc, pointer), pointer).toEqual(value);
  });
  it('refuses invalid pointers and does not walk prototypes or odd indexes', () => {
    expect(parsePointer('foo')).toBeNull();
    expect(parsePointer('/a~2')).toBeNull();
    expect(parsePointer('/a~')).toBeNull();
    expect(resolvePointer(doc, '/foo/01')).toBeUndefined();
    expect(resolvePointer(doc, '/foo/-')).toBeUndefined();
    expect(resolvePointer(doc, '/foo/2')).toBeUndefined();
    expect(resolvePointer({}, '/__proto__')).toBeUndefined();
    expect(resolvePointer({}, '/constructor/name')).toBeUndefined();
    expect(resolvePointer([], '/length')).toBeUndefined();
    expect(resolvePointer('str', '/0')).toBeUndefined();
  });
  it('derives event types from each rule kind', () => {
    expect(deriveEventType('fixed.name', {}, null)).toEqual({ ok: true, type: 'fixed.name' });
    expect(deriveEventType(null, {}, { type: 'default.pointer' })).toEqual({ ok: true, type: 'default.pointer' });
    expect(deriveEventType({ header: 'X-GitHub-Event' }, { 'x-github-event': 'push' }, null)).toEqual({ ok: true, type: 'push' });
    expect(deriveEventType({ pointer: '/type' }, {}, { type: 42 })).toMatchObject({ ok: false, code: 'schema_mismatch' });
    expect(deriveEventType({ pointer: '/type' }, {}, { type: 'a\r\nb' })).toMatchObject({ ok: false });
  });
});

describe('content types', () => {
  it('takes JSON, +json and forms; refuses the rest with a reason', () => {
    expect(classifyContentType('application/json', undefined)).toEqual({ ok: true, kind: 'json' });
    expect(classifyContentType('Application/JSON; charset="utf-8"', 'identity')).toEqual({ ok: true, kind: 'json' });
    expect(classifyContentType('application/vnd.api+json', undefined)).toEqual({ ok: true, kind: 'json' });
    expect(classifyContentType('application/x-www-form-urlencoded', undefined)).toEqual({ ok: true, kind: 'form' });
    for (const [type, encoding] of [['text/json', undefined], ['application/jsonx', undefined], [undefined, undefined], ['application/json', 'br'], ['application/json;charset=utf-16', undefined]] as const) {
      expect(classifyContentType(type, encoding).ok, `${type} ${encoding}`).toBe(false);
    }
  });
});

describe('body decoding', () => {
  it('finds the first invalid UTF-8 byte exactly where node:buffer disagrees', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        expect(at === -1).toBe(isUtf8(bytes));
        if (at >= 0) {
          expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0); // overlong "/"
    expect(firstInvalidUtf8(Buffer.from('aé€😀', 'utf8'))).toBe(-1);
  });

  it('decodes a form payload field and refuses malformed escapes', () => {
    expect(decodeBody('form', Buffer.from('payload=%7B%22a%22%3A1%7D&x=1'))).toMatchObject({ ok: true, text: '{"a":1}' });
    expect(decodeBody('form', Buffer.from('payload=%E0%A4%A'))).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(decodeBody('form', Buffer.from('payload=1&payload=2'))).toMatchObject({ ok: false, code: 'unsupported_media_type' });
    expect(decodeBody('form', Buffer.from('x=1'))).toMatchObject({ ok: false, code: 'unsupported_media_type' });
  });
});

describe('delivery ids', () => {
  it('per scheme, with the documented fallbacks', () => {
    expect(dedupeKey('standard-webhooks', { 'svix-id': 'msg_1' }, {})).toBe('msg_1');
    expect(dedupeKey('standard-webhooks', { 'webhook-id': 'msg_2', 'svix-id': 'msg_1' }, {})).toBe('msg_2');
    expect(dedupeKey('stripe', { 'idempotency-key': 'x' }, { id: 'evt_1' })).toBe('evt_1');
    expect(dedupeKey('stripe', {}, { id: 7 })).toBeNull();
    expect(dedupeKey('github', { 'x-github-delivery': 'g-1' }, {})).toBe('g-1');
    expect(dedupeKey('shopify', { 'x-shopify-event-id': 'e-1' }, {})).toBe('e-1');
    expect(dedupeKey('none', { 'x-request-id': 'r-1' }, {})).toBeNull();
    expect(dedupeKey('bearer', { 'idempotency-key': '  ' }, {})).toBeNull();
    expect(dedupeKey('hmac', { 'idempotency-key': 'k'.repeat(500) }, {})).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a body id holding U+0000 (which PostgreSQL text cannot hold) is stored as its hash, and still deduplicates', () => {
    const key = dedupeKey('stripe', {}, { id: 'evt_\u0000x' });
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dedupeKey('stripe', {}, { id: 'evt_\u0000x' })).toBe(key);
    expect(dedupeKey('stripe', {}, { id: 'evt_\u0000y' })).not.toBe(key);
  });
});

describe('redaction', () => {
  it('redacts credentials and signatures, keeps the rest, caps the body and removes NULs', () => {
    const headers = redactHeaders(
      { authorization: 'Bearer x', cookie: 'a=b', 'x-partner': 'k', 'stripe-signature': 't=1,v1=ab', 'x-shopify-hmac-sha256': 'zz', 'x-github-event': 'push', 'set-cookie': ['a', 'b'] },
      { scheme: 'api-key', header: 'X-Partner', value: 'k' },
    );
    expect(headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-partner': '[redacted]', 'stripe-signature': '[redacted]', 'x-shopify-hmac-sha256': '[redacted]', 'x-github-event': 'push', 'set-cookie': '[redacted]' });
    expect(logBody(Buffer.alloc(100_000, 0x61))!.length).toBe(64 * 1024);
    expect(logBody(Buffer.from('a\0b'))).toBe('a\uFFFDb');
    expect(logBody(null)).toBeNull();
  });
});

describe('credential checks', () => {
  const now = Date.now();
  const body = Buffer.from('{}');
  it('never throw on hostile Authorization values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (value) => {
        for (const config of [{ scheme: 'bearer', token: 't' }, { scheme: 'basic', username: 'u', password: 'p' }] as const) {
          const verdict = verifyRequest(config, { body, headers: { authorization: value }, now });
          expect(verdict.ok === false ? verdict.code : 'ok').toMatch(/credentials_invalid|ok/);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('maps signature failures to the API codes', () => {
    expect(verifyRequest({ scheme: 'github', secret: 's' }, { body, headers: {}, now })).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringMatching(/Missing/) });
    expect(verifyRequest({ scheme: 'stripe', secret: 's' }, { body, headers: { 'stripe-signature': 't=abc,v1=00' }, now })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });
});
