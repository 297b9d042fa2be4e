// hookd/receiver against real hookd deliveries: verified, parsed, and a redelivery (same webhook-id)
// acknowledged without running the handler twice.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createReceiver, nodeHandler, type VerifiedWebhook } from '../src/receiver/index.js';
import { createHarness } from './helpers/harness.js';
import { eventually } from './helpers/receiver.js';

describe('hookd/receiver with real hookd deliveries', () => {
  it('verifies, hands the event over once, and acknowledges the redelivery', async () => {
    const h = await createHarness();
    const seen: VerifiedWebhook[] = [];
    let secret = '';
    const server = createServer((req, res) => nodeHandler(createReceiverOnce(), async (event) => void seen.push(event))(req, res));
    let receiver: ReturnType<typeof createReceiver> | null = null;
    function createReceiverOnce() {
      receiver ??= createReceiver({ secrets: secret });
      return receiver;
    }
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
      const ep = await h.request('POST', '/v1/endpoints', { body: { url, eventTypes: ['chat.started'] } });
      secret = ep.body.secret;
      const evt = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 'c-9' } } });
      await eventually(async () => seen.length === 1 || null);
      expect(seen[0]).toMatchObject({ id: evt.body.id, type: 'chat.started', data: { chatId: 'c-9' } });
      const d = (await h.request('GET', `/v1/deliveries?event=${evt.body.id}`)).body.data[0];
      await eventually(async () => (await h.request('GET', `/v1/deliveries/${d.id}`)).body.status === 'succeeded' || null);
      await h.request('POST', `/v1/deliveries/${d.id}/retry`);
      const after = await eventually(async () => {
        const body = (await h.request('GET', `/v1/deliveries/${d.id}`)).body;
        return body.attempts.length === 2 && body.status === 'succeeded' ? body : null;
      });
      expect(after.attempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([204, 200]);
      expect(seen).toHaveLength(1);
      // A different secret refuses hookd's signature: the test can fail.
      receiver = createReceiver({ secrets: 'whsec_' + Buffer.alloc(24, 7).toString('base64') });
      await h.request('POST', `/v1/deliveries/${d.id}/retry`);
      const refused = await eventually(async () => {
        const body = (await h.request('GET', `/v1/deliveries/${d.id}`)).body;
        return body.attempts.length === 3 ? body.attempts[2] : null;
      });
      expect(refused.responseStatus).toBe(401);
    } finally {
      server.close();
      await h.close();
    }
  });
});
