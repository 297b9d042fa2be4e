// `hookd send --ordering-key`, `hookd endpoints create --on-exhausted`, and `hookd endpoints
// ordering blocked|retry|skip|release` against a real server and receiver.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let failing = true;

beforeAll(async () => {
  server = await startServer();
  receiver = await startReceiver((_req, res) => {
    res.writeHead(failing ? 500 : 200);
    res.end();
  });
}, 30_000);
afterAll(async () => {
  await server.close();
  await receiver.close();
});

describe('ordering commands', () => {
  it('blocked, retry, skip and release, in tables and --json, with usage and API errors', async () => {
    const env = server.env;
    const created = await runCli(['endpoints', 'create', receiver.url, '--events', 'chat.message', '--retry-schedule', '0', '--on-exhausted', 'block', '--json'], env);
    expect(created.code).toBe(0);
    const ep = JSON.parse(created.stdout) as { id: string; ordering: { onExhausted: string } };
    expect(ep.ordering).toEqual({ onExhausted: 'block' });
    for (let n = 0; n < 3; n += 1) expect((await runCli(['send', 'chat.message', '--data', `{"n":${n}}`, '--ordering-key', 'chat-7'], env)).code).toBe(0);

    const blocked = await eventually(async () => {
      const r = await runCli(['endpoints', 'ordering', 'blocked', ep.id, '--json'], env);
      const page = JSON.parse(r.stdout) as { data: Array<{ key: string; waiting: number }> };
      return page.data.length === 1 ? page : null;
    }, 15_000, 100);
    expect(blocked.data[0]).toMatchObject({ key: 'chat-7', waiting: 2 });
    const table = await runCli(['endpoints', 'ordering', 'blocked', ep.id], env);
    expect(table.stdout).toContain('chat-7');
    expect(table.stdout).toContain('http_server_error');

    expect((await runCli(['endpoints', 'ordering', 'retry', ep.id, 'chat-7'], env)).stdout).toContain('re-queued');
    await eventually(async () => {
      const r = JSON.parse((await runCli(['endpoints', 'ordering', 'blocked', ep.id, '--json'], env)).stdout) as { data: Array<{ lastCode: string }> };
      return r.data.length === 1 ? true : null;
    }, 15_000, 100);
    failing = false;
    const skipped = JSON.parse((await runCli(['endpoints', 'ordering', 'skip', ep.id, 'chat-7', '--json'], env)).stdout) as { action: string };
    expect(skipped.action).toBe('skip');
    await eventually(async () => (receiver.requests.length >= 4 ? true : null), 15_000, 50);

    // Not blocked any more: a 409 / 404 from the API is exit 1 with the problem on stderr.
    const notBlocked = await runCli(['endpoints', 'ordering', 'skip', ep.id, 'nope'], env);
    expect(notBlocked.code).toBe(1);
    expect(notBlocked.stderr).toContain('not_found');
    expect((await runCli(['endpoints', 'ordering', 'release', 'ep_missing', 'k'], env)).code).toBe(1);
    // Usage errors: exit 2.
    expect((await runCli(['endpoints', 'ordering', 'retry', ep.id], env)).code).toBe(2);
    expect((await runCli(['endpoints', 'update', ep.id, '--on-exhausted', 'maybe'], env)).code).toBe(2);
  }, 60_000);
});
