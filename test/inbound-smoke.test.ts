import { expect, it } from 'vitest';
import { createHarness } from './helpers/harness.js';
import { inboundRoutes } from '../src/inbound/index.js';

it('smoke', async () => {
  const h = await createHarness({}, { modules: [inboundRoutes] });
  const created = await h.request('POST', '/v1/sources', { body: { name: 's', verify: { scheme: 'none' }, eventType: 'chat.started' } });
  console.log(created.status, created.body);
  const r = await h.request('POST', `/in/${created.body.id}`, { key: null, rawBody: '{"a":1}', headers: { 'content-type': 'application/json' } });
  console.log(r.status, r.body);
  const bad = await h.request('POST', `/in/${created.body.id}`, { key: null, rawBody: '{"a":1', headers: { 'content-type': 'garbage' } });
  console.log(bad.status, bad.body);
  const bad2 = await h.request('POST', `/in/${created.body.id}`, { key: null, rawBody: '{"a":\n1,}', headers: { 'content-type': 'application/json' } });
  console.log(bad2.status, bad2.body);
  const log = await h.request('GET', `/v1/sources/${created.body.id}/requests`);
  console.log(JSON.stringify(log.body, null, 1).slice(0, 3000));
  await h.close();
  expect(1).toBe(1);
});
