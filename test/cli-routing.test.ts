// The built CLI's filter and transform commands against a real server: `hookd filters test`,
// `hookd endpoints create --filter --transform`, `update --preset`, and `endpoints transform-test`.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'hookd-cli-routing-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const cli = (args: string[]) => runCli(args, server.env);

describe('filters and transforms on the command line', () => {
  it('hookd filters test says match, or no match and why (exit 1)', async () => {
    const yes = await cli(['filters', 'test', '--filter', '{"data.customer.tier":"vip"}', '--event', '{"type":"chat.started","data":{"customer":{"tier":"vip"}}}']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout.trim()).toBe('match');
    const no = await cli(['filters', 'test', '--filter', '{"data.customer.tier":"vip"}', '--event', '{"type":"chat.started","data":{"customer":{"tier":"gold"}}}']);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('data.customer.tier is "gold", which fails $eq "vip"');
    const bad = await cli(['filters', 'test', '--filter', '{"data.x":{"$bad":1}}', '--event', '{"type":"a"}']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/\$bad/);
  }, 60_000);

  it('creates an endpoint with a filter and a transform file, tests it, and switches to a preset', async () => {
    const file = join(dir, 'transform.js');
    writeFileSync(file, 'function transform(w) { w.body = { hello: w.event.data.name }; return w; }\n');
    const created = await cli(['endpoints', 'create', 'http://127.0.0.1:9/x', '--filter', '{"type":"chat.started"}', '--transform', file, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const ep = JSON.parse(created.stdout);
    expect(ep.filter).toEqual({ type: 'chat.started' });
    expect(ep.transform).toMatchObject({ version: 1 });
    const tested = await cli(['endpoints', 'transform-test', ep.id, '--type', 'chat.started', '--data', '{"name":"Ada"}']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('ok (transform version 1)');
    expect(tested.stdout).toContain('{"hello":"Ada"}');
    const failing = await cli(['endpoints', 'transform-test', ep.id, '--preset', 'slack']);
    expect(failing.code).toBe(0);
    expect(failing.stdout).toContain('"blocks"');
    const updated = await cli(['endpoints', 'update', ep.id, '--preset', 'teams', '--clear-filter', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ filter: null, transform: { version: 2, preset: 'teams' } });
    const usage = await cli(['endpoints', 'update', ep.id, '--preset', 'irc']);
    expect(usage.code).not.toBe(0);
  }, 60_000);
});
