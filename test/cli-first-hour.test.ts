// A new user's first hour with the built CLI, against real servers: a URL that is not hookd, a
// closed pipe, a busy port on first start and a lost admin key, a retry to a disabled endpoint, the
// "more:" hint, one `-e, --events` vocabulary with checked values, help text, payload and signature
// conveniences. (The demo's own namespace is tested in cli-demo.test.ts.)

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { runCli, startCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
let app: Receiver;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  app = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'hookd-cli-first-hour-'));
});

afterAll(async () => {
  await app?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], extra: Record<string, string | undefined> = {}, input?: string) => runCli(args, { ...server.env, ...extra }, { input });
const JS_ERRORS = /Cannot read properties|Unexpected token|undefined|TypeError|SyntaxError|at .*\.js:\d+/;

async function listenOn(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const srv = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, server: srv, requests };
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('a server that is not hookd', () => {
  it('is named plainly, with exit 1, for reads, writes, doctor, login and demo; nothing is posted or saved', async () => {
    const html = await listenOn((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx</body></html>'));
    const json = await listenOn((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    const configHome = mkdtempSync(join(tmpdir(), 'hookd-cli-nothookd-'));
    try {
      for (const other of [html, json]) {
        const env = { HOOKD_URL: other.url, HOOKD_API_KEY: 'hk_whatever', XDG_CONFIG_HOME: configHome, HOME: configHome, NO_COLOR: '1' };
        for (const args of [['endpoints', 'list'], ['deliveries', 'list', '--json'], ['send', 'chat.started', '--data', '{}'], ['doctor', 'https://example.com/hooks'], ['doctor', 'ep_123'], ['demo'], ['login', '--url', other.url, '--api-key', 'hk_x']]) {
          const res = await runCli(args, env, { timeoutMs: 20_000 });
          expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(1);
          expect(res.stderr).toContain(`${other.url} is not a hookd server`);
          expect(res.stderr).not.toMatch(JS_ERRORS);
          // The demo narrates its first step ("Connecting to ..."), and claims nothing after it.
          expect(`${res.stdout}${res.stderr}`).not.toContain('the server answers');
          if (args[0] !== 'demo') expect(res.stdout).toBe('');
        }
        // Only the identity probe (and parallel reads) reached it: no POST, PUT or PATCH.
        expect(other.requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
      }
      expect(existsSync(join(configHome, 'hookd', 'config.json'))).toBe(false);
      // The real server: login works and says which hookd it is.
      const login = await runCli(['login', '--url', server.url, '--api-key', server.env.HOOKD_API_KEY!], { XDG_CONFIG_HOME: configHome, HOME: configHome, NO_COLOR: '1' });
      expect(login.code, login.stderr).toBe(0);
      expect(login.stderr).toMatch(/logged in to .* \(hookd \d+\.\d+\.\d+\)/);
    } finally {
      html.server.close();
      json.server.close();
      rmSync(configHome, { recursive: true, force: true });
    }
  });
});

describe('a closed pipe', () => {
  it('ends `hookd tail` quietly with exit 0 when the reader goes away (| head -1)', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['pipe.test'] } });
    const tail = startCli(['tail'], server.env);
    try {
      await tail.waitFor(/following attempts/, 15_000, 'stderr');
      await server.harness.request('POST', '/v1/events', { body: { type: 'pipe.test', data: {} } });
      await tail.waitFor(/pipe\.test/);
      // The reader exits, like `head -1` after its line; the next writes hit a closed pipe.
      tail.child.stdout.destroy();
      for (let i = 0; i < 5; i++) await server.harness.request('POST', '/v1/events', { body: { type: 'pipe.test', data: { i } } });
      expect(await tail.exited(15_000)).toBe(0);
      expect(tail.stderr()).not.toMatch(/EPIPE|Error|at .*\.js/);
    } finally {
      tail.kill();
      await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
    }
  });
});

describe('first start on a busy port, and a lost admin key', () => {
  it('names --port and PORT, keeps the one-time key for the next start, and mints a new admin key from the data directory', async () => {
    const dataDir = join(dir, 'busy');
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const failed = await runCli(['serve', '--port', String(busy), '--data-dir', dataDir], { HOOKD_LOG_LEVEL: 'warn' }, { timeoutMs: 30_000 });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`cannot listen on 127.0.0.1:${busy}: the port is already in use`);
      expect(failed.stderr).toContain('--port');
      expect(failed.stderr).toContain('PORT');
      expect(failed.stderr).not.toContain('Admin API key');
      expect(failed.stderr).not.toMatch(/at .*\.js:\d+/);
    } finally {
      blocker.close();
    }

    const port = await freePort();
    const serve = startCli(['serve', '--port', String(port), '--data-dir', dataDir], { HOOKD_LOG_LEVEL: 'warn' });
    try {
      const key = (await serve.waitFor(/Admin API key \(shown once, store it now\):\n\s+(hk_\S+)/, 20_000, 'stderr'))[1]!;
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

      // The key is lost: mint another one straight from the data directory, no server key needed.
      const minted = await runCli(['keys', 'create', '--admin', '--data-dir', dataDir, '--name', 'recovered'], {});
      expect(minted.code, minted.stderr).toBe(0);
      const newKey = minted.stdout.trim();
      expect(newKey).toMatch(/^hk_/);
      expect(minted.stderr).toContain('admin key minted in');
      expect((await fetch(`${url}/v1/api-keys`, { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);

      const json = await runCli(['keys', 'create', '--admin', '--data-dir', dataDir, '--json'], {});
      expect(JSON.parse(json.stdout)).toMatchObject({ role: 'admin', tenant: null, key: expect.stringMatching(/^hk_/) });
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited(15_000).catch(() => serve.kill());
    }

    // A typo in the directory is not a success, and creates nothing.
    const typo = join(dir, 'no-such-dir');
    const wrong = await runCli(['keys', 'create', '--admin', '--data-dir', typo], {});
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no hookd database at');
    expect(existsSync(typo)).toBe(false);
    expect((await runCli(['keys', 'create', '--admin', '--tenant', 'acme', '--data-dir', dataDir], {})).code).toBe(2);
  });

  it('prints one URL in the banner, after the start-up log lines', async () => {
    const port = await freePort();
    const serve = startCli(['serve', '--port', String(port), '--data-dir', join(dir, 'banner')], {});
    try {
      await serve.waitFor(/Try: curl/, 20_000, 'stderr');
      const started = (await serve.waitFor(/^\{.*"hookd started".*\}$/m)) [0];
      const logged = JSON.parse(started) as { url: string };
      const banner = serve.stderr();
      const urls = new Set(banner.match(/https?:\/\/[^\s/]+/g));
      expect([...urls]).toEqual([logged.url]);
      expect(logged.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited(15_000).catch(() => serve.kill());
    }
  });
});

describe('retrying a delivery whose endpoint is disabled', () => {
  it('is refused with 409 endpoint_disabled, by the API and plainly by the CLI; it works again once enabled', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['retry.disabled'] } });
    const event = await server.harness.request('POST', '/v1/events', { body: { type: 'retry.disabled', data: {} } });
    const delivery = await eventually(async () => {
      const list = await server.harness.request('GET', `/v1/deliveries?event=${event.body.id}`);
      return list.body.data.find((d: { status: string }) => d.status === 'succeeded');
    });
    await server.harness.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { enabled: false } });

    const api = await server.harness.request('POST', `/v1/deliveries/${delivery.id}/retry`);
    expect(api.status).toBe(409);
    expect(api.body).toMatchObject({ code: 'endpoint_disabled', status: 409, endpointId: ep.body.id, disabledReason: 'manual' });
    expect(api.body.detail).toContain('Enable it first');

    const res = await cli(['deliveries', 'retry', delivery.id]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('endpoint_disabled');
    expect(res.stderr).toContain(`hookd endpoints enable ${ep.body.id}`);
    expect(res.stdout).not.toContain('re-queued');
    // Nothing was re-queued: the delivery kept its state.
    expect((await server.harness.request('GET', `/v1/deliveries/${delivery.id}`)).body.status).toBe('succeeded');

    await server.harness.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { enabled: true } });
    const again = await cli(['deliveries', 'retry', delivery.id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('re-queued 1');
    await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
  });
});

describe('the "more:" hint', () => {
  it('keeps every filter of the command it continues, with relative times made absolute, and the hint runs', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['more.hint'] } });
    const other = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['more.hint'] } });
    try {
      for (let i = 0; i < 3; i++) await server.harness.request('POST', '/v1/events', { body: { type: 'more.hint', data: { i } } });
      await eventually(async () => {
        const list = await server.harness.request('GET', `/v1/deliveries?endpoint=${ep.body.id}&status=succeeded`);
        return list.body.data.length === 3;
      });
      const first = await cli(['deliveries', 'list', '--endpoint', ep.body.id, '--status', 'succeeded', '--since', '1h', '--limit', '2']);
      expect(first.code, first.stderr).toBe(0);
      const hint = /more: hookd (.*)/.exec(first.stderr)?.[1];
      expect(hint).toBeDefined();
      expect(hint).toMatch(new RegExp(`--endpoint ${ep.body.id} --status succeeded --since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z --limit 2 --cursor \\S+$`));
      const second = await cli([...hint!.split(' '), '--json']);
      expect(second.code, second.stderr).toBe(0);
      const page = JSON.parse(second.stdout);
      expect(page.data).toHaveLength(1);
      expect(page.data[0].endpointId).toBe(ep.body.id);
    } finally {
      await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
      await server.harness.request('DELETE', `/v1/endpoints/${other.body.id}`);
    }
  });
});

describe('one vocabulary: -e, --events <types>', () => {
  it('tail -e follows only those types; --type and the old boolean --events are gone; bad values name the rule (exit 2)', async () => {
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: app.url, eventTypes: ['vocab.one', 'vocab.two'] } });
    const tail = startCli(['tail', '-e', 'vocab.two', '--show-events'], server.env);
    try {
      await tail.waitFor(/following attempts/, 15_000, 'stderr');
      const one = await server.harness.request('POST', '/v1/events', { body: { type: 'vocab.one', data: {} } });
      const two = await server.harness.request('POST', '/v1/events', { body: { type: 'vocab.two', data: {} } });
      await tail.waitFor(new RegExp(`vocab\\.two ${two.body.id} -> ${ep.body.id}`));
      await tail.waitFor(new RegExp(`--> vocab\\.two \\[${two.body.id}\\]`));
      await new Promise((r) => setTimeout(r, 300));
      expect(tail.stdout()).not.toContain(one.body.id);
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited().catch(() => tail.kill());
      await server.harness.request('DELETE', `/v1/endpoints/${ep.body.id}`);
    }

    for (const args of [['tail', '--events', 'bad type!'], ['listen', '--forward-to', app.url, '-e', 'ok.type,no spaces'], ['endpoints', 'create', app.url, '--events', 'a/b']]) {
      const res = await cli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('event types use letters, digits, "_", "." and "-"');
    }
    expect((await cli(['tail', '--type', 'chat.started'])).code).toBe(2);
    const status = await cli(['deliveries', 'list', '--status', 'done']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('"done" is not one of pending, sending, succeeded, failed, cancelled');
    const format = await cli(['endpoints', 'create', app.url, '--payload-format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('is not one of envelope, raw');
  });
});

describe('help and wording', () => {
  it('marks required options, states each default once, and migrate lists only the flags it reads', async () => {
    const recover = await cli(['recover', '--help']);
    expect(recover.stdout).toMatch(/--since <time>.*\(required\)/s);
    for (const args of [['signature', 'sign', '--help'], ['listen', '--help'], ['sources', 'create', '--help'], ['deliveries', 'list', '--help'], ['endpoints', 'list', '--help']]) {
      const text = (await cli(args)).stdout.replace(/\s+/g, ' ');
      expect(text, args.join(' ')).not.toMatch(/\(default[^)]*\)\s*\(default/);
    }
    const migrate = (await cli(['migrate', '--help'])).stdout;
    expect(migrate).toContain('--database-url');
    expect(migrate).toContain('--data-dir');
    for (const flag of ['--port', '--host', '--tls-cert', '--role', '--allow-private', '--print-config']) expect(migrate).not.toContain(flag);
  });

  it('README and docs/cli.md agree on the length of the tour', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const docs = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    expect(readme).toContain('one-minute tour');
    expect(docs).toContain('one-minute tour');
    expect(`${readme}\n${docs}`).not.toMatch(/five-minute/);
  });
});

describe('payloads and signatures', () => {
  it('doctor payload on valid JSON says what was checked, not that an endpoint accepted it; inline JSON works', async () => {
    const res = await cli(['doctor', 'payload', '{"chatId":"c_1"}']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('endpoint');
    expect(res.stdout).toContain('The payload is valid JSON');
    const broken = await cli(['doctor', 'payload', '{"a":1 "b":2}']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/line 1, column 8/);
    const missing = await cli(['doctor', 'payload', 'no-such-file.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file, and it is not inline JSON either');
  });

  it('signs and verifies an inline JSON body, and verifies an old published vector with --ignore-timestamp', async () => {
    const vectors = JSON.parse(readFileSync(new URL('./fixtures/standard-webhooks-vectors.json', import.meta.url), 'utf8')) as { cases: Array<{ secret: string; id: string; timestamp: number; body: string; signature: string }> };
    const v = vectors.cases[0]!;
    const signed = await cli(['signature', 'sign', '--secret', v.secret, '--id', v.id, '--timestamp', String(v.timestamp), '--json', v.body]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)['webhook-signature']).toBe(v.signature);

    const verifyArgs = ['signature', 'verify', v.body, '--secret', v.secret, '--id', v.id, '--timestamp', String(v.timestamp), '--signature', v.signature];
    const strict = await cli(verifyArgs);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('timestamp');
    const relaxed = await cli([...verifyArgs, '--ignore-timestamp', '--json']);
    expect(relaxed.code, relaxed.stderr).toBe(0);
    expect(JSON.parse(relaxed.stdout)).toMatchObject({ valid: true, timestampChecked: false });
    const tampered = await cli(['signature', 'verify', v.body.replace('2432232314', '2432232315'), '--secret', v.secret, '--id', v.id, '--timestamp', String(v.timestamp), '--signature', v.signature, '--ignore-timestamp']);
    expect(tampered.code).toBe(1);
    expect((await cli([...verifyArgs, '--ignore-timestamp', '--tolerance', '10'])).code).toBe(2);

    // A file still wins over inline text when both could apply.
    const file = join(dir, 'body.json');
    writeFileSync(file, '{"from":"file"}');
    const fromFile = await cli(['signature', 'sign', '--secret', v.secret, '--id', 'msg_1', '--timestamp', '1700000000', '--json', file]);
    const inline = await cli(['signature', 'sign', '--secret', v.secret, '--id', 'msg_1', '--timestamp', '1700000000', '--json', '{"from":"file"}']);
    expect(JSON.parse(fromFile.stdout)['webhook-signature']).toBe(JSON.parse(inline.stdout)['webhook-signature']);
  });
});
