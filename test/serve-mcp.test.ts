// Streamable HTTP MCP at /mcp on a real `hookd serve` process, driven by the MCP SDK's client: behind
// an API key (401 problem+json without one), tools answer through the server's own API with the
// caller's key, so a tenant key sees only its tenant; GET is 405 (stateless server).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { testPki } from './helpers/delivery-fixtures.js';

const BIN = new URL('../bin/hookd.js', import.meta.url).pathname;
const ADMIN = 'hk_serve_mcp_admin_key_0123456789';

function text(result: unknown): string {
  return (result as { content: Array<{ text: string }> }).content.map((c) => c.text).join('\n');
}

describe('hookd serve: /mcp', () => {
  it('serves the MCP tools behind an API key, scoped to the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-serve-mcp-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dir], { env: { ...process.env, HOOKD_LOG_LEVEL: 'warn', NO_COLOR: '1', HOOKD_ADMIN_KEY: ADMIN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 30_000);
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!.replace('localhost', '127.0.0.1'));
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
      const published = await (await fetch(`${url}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'mcp.check', data: { a: 1 } }) })).json();
      const tenantKey = (await (await fetch(`${url}/v1/api-keys`, { method: 'POST', headers: auth, body: JSON.stringify({ tenant: 'acme' }) })).json()).key as string;

      const unauth = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
      expect(unauth.status).toBe(401);
      expect(unauth.headers.get('content-type')).toMatch(/problem\+json/);
      const get = await fetch(`${url}/mcp`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect([get.status, get.headers.get('allow'), ((await get.json()) as { code: string }).code]).toEqual([405, 'POST', 'method_not_allowed']);
      const bad = await fetch(`${url}/mcp`, { method: 'POST', headers: auth, body: '{"jsonrpc":' });
      expect(bad.status).toBe(400);

      const connect = async (key: string) => {
        const client = new Client({ name: 'hookd-test', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
        return client;
      };
      await expect(connect('hk_not_a_key_000000000000')).rejects.toThrow();

      const admin = await connect(ADMIN);
      try {
        expect((await admin.listTools()).tools.length).toBe(9);
        const event = JSON.parse(text(await admin.callTool({ name: 'get_event', arguments: { id: published.id } })));
        expect(event.event).toMatchObject({ id: published.id, type: 'mcp.check', data: { a: 1 } });
      } finally {
        await admin.close();
      }
      const tenant = await connect(tenantKey);
      try {
        const hidden = await tenant.callTool({ name: 'get_event', arguments: { id: published.id } });
        expect(hidden.isError).toBe(true);
        expect(text(hidden)).toContain('not_found');
      } finally {
        await tenant.close();
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('hookd serve over TLS: /mcp', () => {
  // The tools used to call the server back at https://127.0.0.1, which a certificate for a host name
  // does not cover: every tool call failed. They now answer in process.
  it('answers tool calls when the certificate names a host, not the loopback address', async () => {
    const pki = await testPki();
    const dir = mkdtempSync(join(tmpdir(), 'hookd-serve-mcp-tls-'));
    writeFileSync(join(dir, 'cert.pem'), pki.otherHost.cert);
    writeFileSync(join(dir, 'key.pem'), pki.otherHost.key);
    const args = [BIN, 'serve', '--port', '0', '--data-dir', dir, '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')];
    const child = spawn(process.execPath, args, { env: { ...process.env, HOOKD_LOG_LEVEL: 'warn', NO_COLOR: '1', HOOKD_ADMIN_KEY: ADMIN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    // The test trusts the CA and checks the certificate against its name, as a real client would.
    const agent = new Agent({ connect: { ca: pki.caCert, servername: 'other.example' } });
    const tlsFetch = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 30_000);
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /listening on (https:\/\/\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!.replace('localhost', '127.0.0.1'));
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
      const published = await (await tlsFetch(`${url}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'mcp.tls', data: { b: 2 } }) })).json();
      const client = new Client({ name: 'hookd-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: tlsFetch, requestInit: { headers: { authorization: `Bearer ${ADMIN}` } } }));
      try {
        const result = await client.callTool({ name: 'get_event', arguments: { id: published.id } });
        expect(result.isError ?? false).toBe(false);
        expect(JSON.parse(text(result)).event).toMatchObject({ id: published.id, type: 'mcp.tls', data: { b: 2 } });
        const missing = await client.callTool({ name: 'get_delivery', arguments: { id: 'dlv_does_not_exist' } });
        expect(missing.isError).toBe(true);
        expect(text(missing)).toContain('not_found');
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGKILL');
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
