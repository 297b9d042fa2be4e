// The CLI client's identity check (GET /healthz -> { service: "hookd" }): remembered once answered,
// asked again after a network failure, so tail/listen reconnect to a server that was restarting.

import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HookdClient, NotHookdError } from '../src/cli/client.js';
import { startServer } from './cli-helpers.js';

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('HookdClient.ensureHookd', () => {
  it('accepts a real hookd server and remembers it', async () => {
    const server = await startServer();
    try {
      const client = new HookdClient({ url: server.url, apiKey: server.env.HOOKD_API_KEY!, profile: null });
      expect((await client.ensureHookd()).version).toMatch(/^\d+\.\d+\.\d+/);
      expect((await client.get<{ data: unknown[] }>('/v1/endpoints')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('asks again after a network failure, and rejects a server that is not hookd for good', async () => {
    const port = await freePort();
    const client = new HookdClient({ url: `http://127.0.0.1:${port}`, apiKey: 'hk_x', profile: null });
    await expect(client.ensureHookd()).rejects.toThrow(/cannot reach the hookd server/);

    let hookd = false;
    const srv: Server = createServer((req, res) => {
      if (req.url === '/healthz' && hookd) res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","service":"hookd","version":"9.9.9"}');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    });
    await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
    try {
      const err = await client.ensureHookd().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotHookdError);
      expect((err as Error).message).toContain(`http://127.0.0.1:${port} is not a hookd server (GET /healthz answered 200 text/html`);
      hookd = true;
      // A verdict from an answering server is kept for this process.
      await expect(client.ensureHookd()).rejects.toBeInstanceOf(NotHookdError);
      const fresh = new HookdClient({ url: `http://127.0.0.1:${port}`, apiKey: 'hk_x', profile: null });
      expect(await fresh.ensureHookd()).toEqual({ version: '9.9.9' });
    } finally {
      srv.close();
    }
  });
});
