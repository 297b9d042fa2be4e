// The Python receiver example of docs/signatures.md, run as written against a real hookd ed25519
// delivery and its key set (skipped where python3 with `cryptography` is not installed).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';
import { createReceiver } from '../src/receiver/index.js';

const python = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
const hasPython = python.status === 0;

const doc = readFileSync(new URL('../docs/signatures.md', import.meta.url), 'utf8');
const block = /<!-- python-example:start -->\n```python\n([\s\S]*?)```\n<!-- python-example:end -->/.exec(doc);

const DRIVER = `
import sys
_input = json.loads(sys.stdin.read())
_key_set = KeySet(_input["url"])
print("valid" if verify_webhook(base64.b64decode(_input["body"]), _input["headers"], _key_set) else "invalid")
`;

let h: Harness;
let base: string;
let receiver: Receiver;
let delivery: ReceivedRequest;
let dir: string;

/** Async: the hookd answering the example's key-set fetch runs in this process's event loop. */
function runExample(url: string, body: Buffer, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [join(dir, 'example.py')], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`python failed (${code}): ${stderr}`))));
    child.stdin.end(JSON.stringify({ url, body: body.toString('base64'), headers }));
  });
}

describe.skipIf(!hasPython)('docs/signatures.md Python example', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-py-'));
    writeFileSync(join(dir, 'example.py'), block![1]! + DRIVER);
    h = await createHarness({ port: 0 });
    base = (await h.runtime.listen()).replace('localhost', '127.0.0.1');
    receiver = await startReceiver();
    await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'py', signing: 'ed25519' } });
    await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, tenant: 'other', signing: 'ed25519', eventTypes: ['never'] } });
    await h.request('POST', '/v1/events', { body: { type: 'py.check', data: { text: 'Zoë ☕' }, tenant: 'py' } });
    delivery = (await receiver.waitFor(1))[0]!;
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is in the docs', () => {
    expect(block).not.toBeNull();
  });

  it('accepts the genuine delivery and refuses a tampered body or another tenant’s key set', async () => {
    const url = `${base}/.well-known/webhooks/jwks.json?tenant=py`;
    expect(await runExample(url, delivery.body, delivery.headers)).toBe('valid');
    expect(await runExample(url, Buffer.concat([delivery.body, Buffer.from(' ')]), delivery.headers)).toBe('invalid');
    expect(await runExample(url, delivery.body, { ...delivery.headers, 'webhook-timestamp': String(Number(delivery.headers['webhook-timestamp']) + 1) })).toBe('invalid');
    expect(await runExample(`${base}/.well-known/webhooks/jwks.json?tenant=other`, delivery.body, delivery.headers)).toBe('invalid');
  }, 60_000);
});

describe('docs/signatures.md Node example', () => {
  it('createReceiver({ keySetUrl }) verifies a real ed25519 delivery', async () => {
    const hk = await createHarness({ port: 0 });
    const rcv = await startReceiver();
    try {
      const url = (await hk.runtime.listen()).replace('localhost', '127.0.0.1');
      await hk.request('POST', '/v1/endpoints', { body: { url: rcv.url, tenant: 'acme', signing: 'ed25519' } });
      await hk.request('POST', '/v1/events', { body: { type: 'node.check', data: { n: 1 }, tenant: 'acme' } });
      const [req] = await rcv.waitFor(1);
      const receiver = createReceiver({ keySetUrl: `${url}/.well-known/webhooks/jwks.json?tenant=acme` });
      await expect(receiver.verify(req!.body, req!.headers)).resolves.toMatchObject({ type: 'node.check', data: { n: 1 }, duplicate: false });
      await expect(receiver.verify(Buffer.concat([req!.body, Buffer.from(' ')]), req!.headers)).rejects.toMatchObject({ code: 'signature_invalid' });
    } finally {
      await hk.close();
      await rcv.close();
    }
  }, 30_000);
});

describe('python availability', () => {
  it('is reported, so a skipped example is visible', () => {
    expect(typeof hasPython).toBe('boolean');
  });
});
