// Hostile-input generators and properties shared by the bounded test run (test/inbound-fuzz.test.ts,
// 200 cases) and the long run (scripts/fuzz-ingress.ts, 100,000+ cases). The properties: whatever
// the body and headers, the ingress and the publish route answer with a documented 2xx/4xx and a JSON
// body; never a 500, an exception, a hang, or a polluted prototype.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ADMIN_KEY, type Harness } from './helpers/harness.js';
import { createSource } from './inbound-helpers.js';

const headerText = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const jsonText = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
const typedJson = fc.tuple(fc.constantFrom('fuzz.typed', 'fuzz.free', 'a', '', 'bad type', '__proto__'), fc.jsonValue({ maxDepth: 3 })).map(([type, data]) =>
  JSON.stringify({ type, id: `evt_${String(JSON.stringify(data)).length}`, data, name: data }),
);

function insertAt(text: string | Buffer, at: number, insert: Buffer): Buffer {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i)]);
}

const adversarial: fc.Arbitrary<string | Buffer> = fc.oneof(
  // Deep nesting, closed or not.
  fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'), fc.boolean()).map(([n, open, closed]) =>
    closed ? `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}` : open.repeat(n),
  ),
  // Prototype pollution attempts.
  fc.constantFrom(
    '{"__proto__":{"polluted":1},"type":"fuzz.free"}',
    '{"constructor":{"prototype":{"polluted":1}},"type":"fuzz.free"}',
    '{"type":"__proto__"}',
    '{"__proto__":{"type":"fuzz.free"}}',
    '{"type":"fuzz.typed","__proto__":null}',
  ),
  // Numbers JS cannot hold.
  fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.constantFrom('', '-', '0.', '1e')).map(([n, prefix]) => `{"type":"fuzz.free","n":${prefix}${'9'.repeat(n)}}`),
  fc.constantFrom('{"type":"fuzz.free","n":1e400}', '{"type":"fuzz.free","n":-0}', '{"type":"fuzz.free","n":0.1e-400}', '[1e999999999]', '-', '01', '1.', 'NaN', 'Infinity'),
  // Invalid UTF-8 and NUL characters (raw and escaped) at random places.
  fc.tuple(typedJson, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4, min: 0x80, max: 0xff })).map(([t, at, bad]) => insertAt(t, at, Buffer.from(bad))),
  fc.tuple(typedJson, fc.nat(), fc.constantFrom('\0', '\\u0000', '\\ud800', '\u2028', '\uFEFF')).map(([t, at, nul]) => insertAt(t, at, Buffer.from(nul, 'utf8'))),
  // Duplicate keys, BOMs, truncation, single-character mutation.
  fc.constantFrom('{"type":"fuzz.free","type":"fuzz.typed","k":1,"k":2}', '{"type":"fuzz.typed","type":"fuzz.free"}', '\uFEFF{"type":"fuzz.free"}'),
  fc.tuple(typedJson, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
  fc.tuple(typedJson, fc.nat(), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })).map(([t, at, c]) => {
    const i = at % Math.max(1, t.length);
    return t.slice(0, i) + c + t.slice(i + 1);
  }),
  // Random bytes and odd strings (lone surrogates become U+FFFD bytes).
  fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 512 }),
  // Form bodies, well-formed or not.
  typedJson.map((t) => `payload=${encodeURIComponent(t)}`),
  fc.constantFrom('payload=%', 'payload=%E0%A4%A', 'payload=1&payload=2', 'a=b', '&&&=', 'payload=%7B%22type%22%3A%22fuzz.free%22%7D'),
  // A large string (up to 256 KiB).
  fc.integer({ min: 1, max: 256 * 1024 }).map((n) => `{"type":"fuzz.free","s":"${'x'.repeat(n)}"}`),
);

export const bodyArbitrary: fc.Arbitrary<string | Buffer> = fc.oneof({ arbitrary: jsonText, weight: 2 }, { arbitrary: typedJson, weight: 3 }, { arbitrary: adversarial, weight: 6 });

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/JSON;charset="UTF-8"', 'application/cloudevents+json'];
const OTHER_TYPES = ['application/json; charset=latin1', 'text/plain', 'multipart/form-data; boundary=x', 'garbage', '/', 'application/json;;;', ''];

const HEADER_NAMES = [
  'stripe-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-signature', 'x-hub-signature-256',
  'x-github-delivery', 'x-github-event', 'x-shopify-hmac-sha256', 'authorization', 'x-forwarded-for', 'idempotency-key',
  'x-event-kind', 'cookie', 'x-api-key',
];

// Mostly JSON content types, so that most cases get past the 415 and reach verification and parsing.
const contentTypeArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom(...JSON_TYPES), weight: 12 },
  { arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 2 },
  { arbitrary: fc.constantFrom(...OTHER_TYPES), weight: 1 },
  { arbitrary: headerText(80), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

export const headersArbitrary: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    contentTypeArbitrary,
    fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerText(300), { maxKeys: 6 }),
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 15 }, { arbitrary: fc.constantFrom('gzip', 'identity', 'br, gzip', ''), weight: 1 }),
  )
  .map(([contentType, extra, encoding]) => ({
    ...extra,
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
    ...(encoding === undefined ? {} : { 'content-encoding': encoding }),
  }));

export interface FuzzTargets {
  /** Ingress sources: [id, how to sign a body for it (or null)]. */
  sources: Array<{ id: string; sign: ((body: Buffer) => Record<string, string>) | null }>;
}

/** Sources covering every code path: open, signed (github, stripe), header-typed, small cap, allowlist. */
export async function createFuzzTargets(h: Harness): Promise<FuzzTargets> {
  await h.request('PUT', '/v1/event-types/fuzz.typed', { body: { schema: { type: 'object', required: ['type', 'data'], properties: { data: { type: 'object', required: ['x'] } } } } });
  const none = await createSource(h, { verify: { scheme: 'none' } });
  const github = await createSource(h, { verify: { scheme: 'github', secret: 'fuzz-secret' }, eventType: { header: 'x-github-event' } });
  const stripe = await createSource(h, { verify: { scheme: 'stripe', secret: 'whsec_fuzz' } });
  const small = await createSource(h, { verify: { scheme: 'none' }, eventType: { pointer: '/data/0' }, maxBodyBytes: 2048 });
  const allow = await createSource(h, { verify: { scheme: 'api-key', header: 'x-api-key', value: 'k' }, eventType: 'fuzz.free', allowIps: ['127.0.0.0/8'] });
  return {
    sources: [
      { id: none.id, sign: null },
      { id: github.id, sign: (body) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', 'fuzz-secret').update(body).digest('hex')}`, 'x-github-event': 'fuzz.free' }) },
      {
        id: stripe.id,
        sign: (body) => {
          const t = Math.floor(Date.now() / 1000);
          return { 'stripe-signature': `t=${t},v1=${createHmac('sha256', 'whsec_fuzz').update(`${t}.`).update(body).digest('hex')}` };
        },
      },
      { id: small.id, sign: null },
      { id: allow.id, sign: () => ({ 'x-api-key': 'k' }) },
    ],
  };
}

const INGRESS_STATUSES = new Set([200, 202, 400, 401, 403, 413, 415, 422]);
const PUBLISH_STATUSES = new Set([200, 202, 400, 409, 413, 415, 422]);

function checkAnswer(statuses: Set<number>, res: { statusCode: number; body: string }, what: string): void {
  if (!statuses.has(res.statusCode)) throw new Error(`${what}: unexpected status ${res.statusCode}: ${res.body.slice(0, 500)}`);
  JSON.parse(res.body);
  if ((Object.prototype as Record<string, unknown>).polluted !== undefined) throw new Error(`${what}: Object.prototype was polluted`);
}

export function ingressProperty(h: Harness, targets: FuzzTargets) {
  return fc.asyncProperty(
    fc.nat({ max: targets.sources.length - 1 }),
    bodyArbitrary,
    headersArbitrary,
    fc.boolean(),
    async (index, body, headers, signIt) => {
      const target = targets.sources[index]!;
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const all = signIt && target.sign !== null ? { ...headers, ...target.sign(bytes) } : headers;
      const res = await h.runtime.app.inject({ method: 'POST', url: `/in/${target.id}`, payload: bytes, headers: all });
      checkAnswer(INGRESS_STATUSES, res, 'ingress');
    },
  );
}

export function publishProperty(h: Harness) {
  const wrapped = fc.tuple(fc.constantFrom('fuzz.typed', 'fuzz.free'), bodyArbitrary).map(([type, data]) =>
    Buffer.concat([Buffer.from(`{"type":"${type}","data":`), typeof data === 'string' ? Buffer.from(data, 'utf8') : data, Buffer.from('}')]),
  );
  return fc.asyncProperty(fc.oneof(wrapped, bodyArbitrary), headersArbitrary, async (body, headers) => {
    const { authorization: _ignored, ...rest } = headers;
    const res = await h.runtime.app.inject({ method: 'POST', url: '/v1/events', payload: body, headers: { ...rest, authorization: `Bearer ${ADMIN_KEY}` } });
    checkAnswer(PUBLISH_STATUSES, res, 'publish');
  });
}
