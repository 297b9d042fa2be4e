// `hookd plan|apply|export` (the built CLI) against a running server: the contact-centre file is
// created, a second apply changes nothing, edits are planned and applied field by field, --prune
// removes what the file stopped naming (never the key in use), export writes no secret in clear and
// applying the export is a no-op, and a bad file is refused with errors by path before any request.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'hookd-cac-'));
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SECRETS = { CRM_SIGNING_SECRET: 'whsec_Y3JtLXNpZ25pbmctc2VjcmV0LTAxMjM0NTY3ODlhYmM=', CRM_TOKEN: 'crm-token-s3cret', TELEPHONY_SECRET: 'telephony-hmac-s3cret' };
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { ...server.env, ...SECRETS, ...extra });

function contactCentre(opts: { crmTimeout?: number; withVip?: boolean } = {}): string {
  return `
version: 1
eventTypes:
  - name: chat.started
    description: A customer opened a chat
    schema:
      type: object
      required: [chatId, customer]
      properties:
        chatId: { type: string }
        customer: { type: object }
  - name: chat.ended
    description: A chat was closed
endpoints:
  - url: http://127.0.0.1:9/crm/hooks
    tenant: acme
    description: CRM
    eventTypes: [chat.started, chat.ended]
    timeoutMs: ${opts.crmTimeout ?? 10000}
    secret: \${env:CRM_SIGNING_SECRET}
    auth: { type: bearer, token: "\${env:CRM_TOKEN}" }
${
  opts.withVip === false
    ? ''
    : `  - url: http://127.0.0.1:9/vip-alerts
    tenant: acme
    description: VIP alerts
    eventTypes: [chat.started]
`
}sources:
  - name: telephony
    tenant: acme
    verify: { scheme: hmac, header: X-Telephony-Signature, secret: "\${env:TELEPHONY_SECRET}" }
    eventType: { pointer: /event }
apiKeys:
  - name: acme-integration
    tenant: acme
`;
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('hookd plan / apply / export', () => {
  it('applies the contact-centre file once; a second apply changes nothing; edits and --prune are exact', async () => {
    const file = write('hookd.yaml', contactCentre());
    const plan = await cli(['plan', '-f', file]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('+ event type chat.started');
    expect(plan.stdout).toContain('+ endpoint http://127.0.0.1:9/crm/hooks (tenant acme)');
    expect(plan.stdout).toContain('Plan: 6 to create, 0 to update, 0 to replace, 0 to delete.');
    expect(plan.stdout).not.toMatch(/crm-token-s3cret|telephony-hmac-s3cret|Y3JtLXNpZ25pbmctc2Vj/);
    // plan changed nothing
    expect((await server.harness.request('GET', '/v1/endpoints')).body.data).toHaveLength(0);

    const first = await cli(['apply', '-f', file, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const applied = JSON.parse(first.stdout);
    expect(applied.summary).toEqual({ create: 6, update: 0, replace: 0, delete: 0 });
    const key = applied.applied.find((a: { kind: string }) => a.kind === 'apiKey');
    expect(key.key).toMatch(/^hk_/);

    const endpoints = (await server.harness.request('GET', '/v1/endpoints')).body.data as Array<{ id: string; url: string; tenant: string; timeoutMs: number }>;
    expect(endpoints.map((e) => e.url).sort()).toEqual(['http://127.0.0.1:9/crm/hooks', 'http://127.0.0.1:9/vip-alerts']);
    const crm = endpoints.find((e) => e.url.endsWith('/crm/hooks'))!;
    expect(crm.tenant).toBe('acme');
    // The signing secret came from the environment.
    expect((await server.harness.request('GET', `/v1/endpoints/${crm.id}/secret`)).text).toContain(SECRETS.CRM_SIGNING_SECRET);
    const type = await server.harness.request('GET', '/v1/event-types/chat.started');
    expect(type.body.schema.required).toEqual(['chatId', 'customer']);

    const before = (await server.harness.request('GET', `/v1/endpoints/${crm.id}`)).body;
    const second = await cli(['apply', '-f', file]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('No changes: the server matches the file.');
    expect(JSON.parse((await cli(['plan', '-f', file, '--json'])).stdout).changes).toEqual([]);
    expect((await server.harness.request('GET', `/v1/endpoints/${crm.id}`)).body.updatedAt).toBe(before.updatedAt);

    // An edit: one field updated in place (same id), the VIP endpoint dropped from the file.
    const edited = write('edited.yaml', contactCentre({ crmTimeout: 20000, withVip: false }));
    const editPlan = await cli(['plan', '-f', edited, '--prune']);
    expect(editPlan.stdout).toContain(`~ endpoint http://127.0.0.1:9/crm/hooks (tenant acme) [${crm.id}]`);
    expect(editPlan.stdout).toContain('timeoutMs: 10000 -> 20000');
    expect(editPlan.stdout).toContain('- endpoint http://127.0.0.1:9/vip-alerts (tenant acme)');
    // Without --prune the VIP endpoint is kept.
    const noPrune = JSON.parse((await cli(['apply', '-f', edited, '--json'])).stdout);
    expect(noPrune.summary).toEqual({ create: 0, update: 1, replace: 0, delete: 0 });
    expect((await server.harness.request('GET', `/v1/endpoints/${crm.id}`)).body.timeoutMs).toBe(20000);
    expect((await server.harness.request('GET', '/v1/endpoints')).body.data).toHaveLength(2);
    const pruned = JSON.parse((await cli(['apply', '-f', edited, '--prune', '--json'])).stdout);
    expect(pruned.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 1 });
    expect((await server.harness.request('GET', '/v1/endpoints')).body.data.map((e: { id: string }) => e.id)).toEqual([crm.id]);
    expect(JSON.parse((await cli(['plan', '-f', edited, '--prune', '--json'])).stdout).changes).toEqual([]);
  });

  it('export writes no secret in clear, and applying it (with the variables set) changes nothing', async () => {
    const exported = await cli(['export']);
    expect(exported.code, exported.stderr).toBe(0);
    for (const secret of Object.values(SECRETS)) expect(exported.stdout).not.toContain(secret);
    expect(exported.stdout).not.toContain('[redacted]');
    expect(exported.stdout).toContain('${env:ENDPOINT_ACME_127_0_0_1_CRM_HOOKS_AUTH_TOKEN}');
    const path = join(dir, 'exported.yaml');
    expect((await cli(['export', '-o', path])).code).toBe(0);
    const names = [...readFileSync(path, 'utf8').matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
    const env = Object.fromEntries(names.map((n) => [n, /^ENDPOINT_.*_SECRET$/.test(n) && !n.includes('_AUTH_') ? SECRETS.CRM_SIGNING_SECRET : 'from-env']));
    const plan = await cli(['plan', '-f', path, '--prune', '--json'], env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).changes).toEqual([]);
    // Without the variables the file is refused before any request, naming each one.
    const missing = await cli(['plan', '-f', path]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/endpoints\[0\]\.auth\.token \(line \d+\): the environment variable ENDPOINT_ACME_127_0_0_1_CRM_HOOKS_AUTH_TOKEN is not set/);
  });

  it('refuses a bad file with errors by path (exit 2) and reports a server refusal naming the object (exit 1)', async () => {
    const bad = write('bad.yaml', 'endpoints:\n  - url: http://127.0.0.1:9/x\n    timeoutMs: fast\nsources:\n  - name: s\n');
    const res = await cli(['apply', '-f', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('endpoints[0].timeoutMs (line 3): must be an integer from 1000 to 60000');
    expect(res.stderr).toContain('sources[0].verify (line 5): is required');
    expect((await cli(['plan', '-f', join(dir, 'nope.yaml')])).stderr).toContain('ENOENT');

    const refused = write('refused.yaml', 'eventTypes:\n  - name: bad.schema\n    schema: { type: 12 }\n');
    const r = await cli(['apply', '-f', refused]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/create eventType bad\.schema: .*\(invalid_schema\) \(nothing was changed\)/);
  });

  it('--prune never revokes the API key in use', async () => {
    const created = JSON.parse((await cli(['keys', 'create', '--name', 'operator', '--json'])).stdout) as { id: string; key: string };
    const res = await cli(['apply', '-f', write('keys.yaml', 'apiKeys: []\n'), '--prune', '--json'], { HOOKD_API_KEY: created.key });
    expect(res.code, res.stderr).toBe(0);
    const revoked = JSON.parse(res.stdout).applied.map((a: { label: string }) => a.label);
    expect(revoked).toEqual(['acme-integration']);
    expect((await cli(['keys', 'list', '--json'], { HOOKD_API_KEY: created.key })).code).toBe(0);
  });

  it('prints a verify secret the server generated once, and the next apply leaves it alone', async () => {
    const file = write('generated.yaml', 'sources:\n  - name: partner\n    tenant: globex\n    verify: { scheme: standard-webhooks }\n');
    const first = await cli(['apply', '-f', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/source partner \(tenant globex\): verify \{"scheme":"standard-webhooks","secret":"whsec_[^"]+".*shown only now/);
    expect(first.stdout).toMatch(/source partner \(tenant globex\): ingress http:\/\/127\.0\.0\.1:\d+\/in\/src_/);
    expect((await cli(['apply', '-f', file])).stdout).toContain('No changes');
  });
});
