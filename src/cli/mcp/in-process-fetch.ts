// A fetch for hookd/client that answers from this server's own routes through Fastify's inject,
// without a socket. The `/mcp` route on `hookd serve` uses it for its tools' API calls: calling our
// own listener over the network failed when it served TLS with a certificate for a host name (the
// loopback address is not in it), cost a connection per call, and made the audit log record
// 127.0.0.1 instead of the MCP client. The request still passes every hook a socket request passes
// (authentication, portal capabilities, rate limits, audit), with the caller's address.

import type { FastifyInstance } from 'fastify';

/** The base URL the in-process client is built with; only its path and query reach the routes. */
export const IN_PROCESS_BASE_URL = 'http://hookd.in-process';

export function inProcessFetch(app: FastifyInstance, remoteAddress: string): typeof fetch {
  return async (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href);
    if (init?.signal?.aborted) throw init.signal.reason;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') throw new TypeError('in-process fetch sends string bodies only');
    const answer = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      remoteAddress,
      ...(typeof body === 'string' ? { payload: body } : {}),
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [String(value)]) out.append(name, v);
    }
    // A Response may not carry a body with these statuses.
    const empty = answer.statusCode === 204 || answer.statusCode === 304;
    return new Response(empty ? null : new Uint8Array(answer.rawPayload), { status: answer.statusCode, headers: out });
  };
}
