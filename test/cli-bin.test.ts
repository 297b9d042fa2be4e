// `hookd bin` end to end with the BUILT CLI against a running server: create a bin (capture URL
// printed), see captures live as NDJSON and as lines with the signature verdict, then list, show,
// requests and delete.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../src/signature/index.js';
import { startReceiver } from './helpers/receiver.js';
import { ndjson, runCli, startCli, startServer, type TestServer } from './cli-helpers.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 30_000);
afterAll(async () => {
  await server?.close();
});

const cli = (args: string[]) => runCli(args, server.env);

describe('hookd bin', () => {
  it('creates a bin, prints its URL and shows captures live as NDJSON', async () => {
    const live = startCli(['bin', '--status', '503', '--retry-after', '4', '--secret', SECRET, '--json'], server.env);
    try {
      const [line] = await live.waitFor(/^\{.*"captureUrl".*\}$/m);
      const bin = JSON.parse(line);
      expect(bin.captureUrl).toBe(`${server.url}/bin/${bin.id}`);
      const body = '{"type":"chat.started"}';
      const ts = Math.floor(Date.now() / 1000);
      const signed = await fetch(`${bin.captureUrl}/hooks?a=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([SECRET], 'msg_1', ts, body) },
        body,
      });
      expect(signed.status).toBe(503);
      expect(signed.headers.get('retry-after')).toBe('4');
      await fetch(bin.captureUrl, { method: 'PUT', body: 'unsigned' });
      await live.waitFor(/"method":"PUT"/);
      const lines = ndjson(live.stdout());
      expect(lines[1]).toMatchObject({ method: 'POST', path: '/hooks?a=1', body, signature: { ok: true } });
      expect(lines[2]).toMatchObject({ method: 'PUT', body: 'unsigned', signature: { ok: false, code: 'signature_missing' } });
    } finally {
      live.kill();
    }
  }, 30_000);

  it('shows captures as lines, and manages bins with list, show, requests and delete', async () => {
    const created = await cli(['bin', '--name', 'cli-bin', '--no-follow', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const bin = JSON.parse(created.stdout);
    const watch = startCli(['bin', 'watch', bin.id], server.env);
    try {
      await watch.waitFor(/watching/, 15_000, 'stderr');
      await fetch(`${bin.captureUrl}/x`, { method: 'PATCH', body: 'abc' });
      const [line] = await watch.waitFor(/PATCH.*$/m);
      expect(line).toMatch(/PATCH\s+\/x\s+3 B/);
    } finally {
      watch.kill();
    }
    const list = await cli(['bin', 'list']);
    expect(list.stdout).toContain(bin.id);
    const show = await cli(['bin', 'show', bin.id]);
    expect(show.stdout).toContain(bin.captureUrl);
    const requests = await cli(['bin', 'requests', bin.id, '--json']);
    expect(JSON.parse(requests.stdout).data[0]).toMatchObject({ method: 'PATCH', size: 3 });
    const target = await startReceiver();
    try {
      const rid = JSON.parse(requests.stdout).data[0].id;
      const replay = await cli(['bin', 'replay', bin.id, rid, '--to', target.url]);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/^200 in \d+ ms/);
      expect(target.requests[0]!.body.toString()).toBe('abc');
    } finally {
      await target.close();
    }
    const bad = await cli(['bin', '--latency', '9..1', '--no-follow']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/latency/);
    expect((await cli(['bin', 'delete', bin.id])).stdout).toContain(`deleted ${bin.id}`);
    const gone = await cli(['bin', 'show', bin.id]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/not_found|No bin/);
  }, 30_000);
});
