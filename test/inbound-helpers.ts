// Shared helpers of the inbound tests: a harness with the inbound module, ingress posts, log lookups.

import { createHarness, type Harness } from './helpers/harness.js';
import type { InboundOptions } from '../src/inbound/index.js';

/** The runtime registers the inbound routes itself; trusted proxies come from its configuration. */
export async function createInboundHarness(options: InboundOptions = {}, env: Record<string, string> = {}): Promise<Harness> {
  return createHarness({ env, ...(options.trustedProxies ? { trustedProxies: [...options.trustedProxies] } : {}) });
}

export async function createSource(h: Harness, body: Record<string, unknown>): Promise<{ id: string; verify: Record<string, unknown>; ingressUrl: string }> {
  const res = await h.request('POST', '/v1/sources', { body: { name: 'test source', ...body } });
  if (res.status !== 201) throw new Error(`source creation failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function postIngress(h: Harness, sourceId: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return h.request('POST', `/in/${sourceId}`, { key: null, rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
}

/** The request-log entry an ingress answer points at (problem documents carry `inboundRequestId`). */
export async function logEntry(h: Harness, sourceId: string, answer: { body: any }) {
  const id = answer.body?.inboundRequestId ?? answer.body?.id;
  const res = await h.request('GET', `/v1/sources/${sourceId}/requests/${id}`);
  if (res.status !== 200) throw new Error(`no log entry ${id}: ${res.status} ${res.text}`);
  return res.body;
}
