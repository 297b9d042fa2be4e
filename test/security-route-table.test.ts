// Authentication is decided on the route the router matched, not on the raw URL. Walks every route of
// /openapi.json, without credentials, with every spelling that a router may normalise or a prefix
// check may miss (percent-encoded letters, doubled slashes, dot segments, a trailing slash, the
// absolute form, mixed case), over a real socket so that nothing rewrites the request line on the way.
// Each answer must be 401 or 404: never 200 (a bypass) and never 500 (a handler run without a key).

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await createHarness();
  await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.runtime.app.server.address() as { port: number }).port;
  await h.request('PUT', '/v1/event-types/chat.started', { body: { description: 'A chat started' } });
});

afterAll(async () => {
  await h.close();
});

interface Answer {
  status: number;
  body: string;
}

/** One raw request: `target` goes onto the request line exactly as given. */
function send(method: string, target: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      // A stream that was let through would never end: take the status and leave.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, body: '' });
        res.destroy();
      }
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer to ${method} ${target}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Encode the first letter of the segment after `/v1/` (or of `v1` itself) as %XX. */
function encodeLetter(path: string, segment: 0 | 1): string {
  const parts = path.split('/');
  const index = segment + 1;
  const word = parts[index] ?? '';
  const at = [...word].findIndex((ch) => /[a-z]/i.test(ch));
  if (at < 0) return path;
  parts[index] = `${word.slice(0, at)}%${word.charCodeAt(at).toString(16)}${word.slice(at + 1)}`;
  return parts.join('/');
}

function spellings(path: string): Array<[string, string]> {
  return [
    ['plain', path],
    ['encoded v', encodeLetter(path, 0)],
    ['encoded resource letter', encodeLetter(path, 1)],
    ['encoded slash', path.replace('/v1/', '/v1%2F')],
    ['leading double slash', `/${path}`],
    ['inner double slash', path.replace('/v1/', '/v1//')],
    ['dot segment', path.replace('/v1/', '/v1/./')],
    ['dot-dot segment', path.replace('/v1/', '/x/../v1/')],
    ['trailing slash', `${path}/`],
    ['absolute form', `http://127.0.0.1:${port}${path}`],
    ['absolute form, other host', `http://evil.example${path}`],
    ['upper-case V1', path.replace('/v1/', '/V1/')],
    ['mixed-case resource', path.replace(/\/v1\/([a-z])/, (_m, c: string) => `/v1/${c.toUpperCase()}`)],
    ['query only', `${path}?x=1`],
  ];
}

describe('every /v1 route of the OpenAPI document, without an API key', () => {
  it('answers 401 or 404 for each spelling, never 200 and never 500', async () => {
    const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes: Array<{ method: string; path: string }> = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (!template.startsWith('/v1/')) continue;
      const path = template.replace(/\{[^}]+\}/g, (m) => (m === '{name}' ? 'chat.started' : 'ep_0000000000000000000000'));
      for (const method of Object.keys(ops)) routes.push({ method: method.toUpperCase(), path });
    }
    // The document really lists the resources: a broken walk must not pass by walking nothing.
    expect(routes.length).toBeGreaterThan(40);
    for (const name of ['/v1/events', '/v1/endpoints', '/v1/event-types', '/v1/stream', '/v1/api-keys', '/v1/sources', '/v1/diagnose']) {
      expect(routes.some((r) => r.path === name)).toBe(true);
    }

    const failures: string[] = [];
    for (const { method, path } of routes) {
      for (const [label, target] of spellings(path)) {
        const body = method === 'GET' || method === 'DELETE' || method === 'HEAD' ? undefined : '{}';
        const answer = await send(method, target, body);
        if (answer.status !== 401 && answer.status !== 404) failures.push(`${method} ${target} (${label}) -> ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the same request with the admin key succeeds, so the walk reaches real handlers', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: '/%761/event-types', agent: false, headers: { authorization: 'Bearer hk_test_admin_key_0123456789' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toBe(200);
  });

  it('public routes stay public and never fail', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      expect((await send('GET', path)).status).toBe(200);
    }
  });

  it('routes outside /v1 never answer 500 in any spelling', async () => {
    const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const failures: string[] = [];
    let walked = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (template.startsWith('/v1/')) continue;
      const path = template.replace(/\{[^}]+\}/g, 'src_0000000000000000000000');
      for (const method of Object.keys(ops)) {
        const variants: Array<[string, string]> = [
          ['plain', path],
          ['encoded letter', encodeLetter(path, 0)],
          ['leading double slash', `/${path}`],
          ['trailing slash', `${path}/`],
          ['dot segment', `/.${path}`],
          ['absolute form', `http://127.0.0.1:${port}${path}`],
          ['upper case', path.toUpperCase()],
        ];
        for (const [label, target] of variants) {
          walked++;
          const answer = await send(method.toUpperCase(), target, method === 'get' ? undefined : '{}');
          if (answer.status >= 500) failures.push(`${method} ${target} (${label}) -> ${answer.status}`);
        }
      }
    }
    expect(walked).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});
