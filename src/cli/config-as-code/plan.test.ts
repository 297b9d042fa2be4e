import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigFile, ConfigFileError } from './config-file.js';
import { exportConfig } from './export-file.js';
import { formatPlan, planChanges, sameJson, summarize, type CurrentState } from './plan.js';

const empty = (): CurrentState => ({ eventTypes: [], endpoints: [], sources: [], apiKeys: [] });

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigFile(text, env);
  } catch (err) {
    if (err instanceof ConfigFileError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('config file', () => {
  it('reports every problem by path and line', () => {
    const text = ['version: 1', 'endpoints:', '  - url: ftp://x', '    timeoutMs: 5', '    colour: red', 'apiKeys:', '  - name: ci', 'eventTypes:', '  - name: "bad name"'].join('\n');
    expect(problems(text)).toEqual([
      'eventTypes[0].name (line 9): must be an event type name (letters, digits, _ . -; up to 128)',
      'endpoints[0].colour (line 5): unknown field (expected one of: url, tenant, description, eventTypes, auth, headers, timeoutMs, rateLimitPerSecond, maxConcurrency, retrySchedule, payloadFormat, signing, enabled, secret)',
      'endpoints[0].url (line 3): must be an http:// or https:// URL',
      'endpoints[0].timeoutMs (line 4): must be an integer from 1000 to 60000',
      'apiKeys[0].tenant (line 7): is required (or admin: true for an admin key)',
    ]);
  });

  it('refuses YAML syntax errors, a wrong version, duplicate keys and duplicate objects', () => {
    expect(problems('endpoints: [')[0]).toMatch(/^\(file\) \(line \d+\): not valid YAML/);
    expect(problems('version: 2')).toEqual(['version (line 1): must be 1 (the only version of this format)']);
    expect(problems('version: 1\nversion: 1')[0]).toMatch(/not valid YAML: Map keys must be unique/);
    expect(problems('eventTypes:\n  - name: a\n  - name: a')).toEqual(['eventTypes[1] (line 3): the same event type as eventTypes[0]: each object is named once']);
    expect(problems('- 1')).toEqual(['(file) (line 1): must be a mapping with version, eventTypes, endpoints, sources and apiKeys']);
  });

  it('replaces ${env:NAME} and names a missing variable', () => {
    const file = parseConfigFile('endpoints:\n  - url: https://crm.example/hooks\n    auth: { type: bearer, token: "${env:CRM_TOKEN}" }', { CRM_TOKEN: 't0k' });
    expect(file.endpoints![0]!.auth).toEqual({ type: 'bearer', token: 't0k' });
    expect(file.endpoints![0]!.tenant).toBeNull();
    expect(problems('endpoints:\n  - url: https://x.example\n    secret: ${env:NOPE}')).toContain('endpoints[0].secret (line 3): the environment variable NOPE is not set');
  });

  it('an empty file manages nothing', () => {
    expect(parseConfigFile('')).toEqual({});
    expect(parseConfigFile('endpoints: []')).toEqual({ endpoints: [] });
  });
});

describe('plan', () => {
  const endpoint = { id: 'ep_1', url: 'https://crm.example/hooks', tenant: 'acme', description: 'CRM', eventTypes: ['chat.ended', 'chat.started'], auth: { type: 'basic', username: 'u', password: '[redacted]' }, headers: { 'x-team': 'ops', 'x-api-token': '[redacted]' }, timeoutMs: 10000, rateLimitPerSecond: null, maxConcurrency: 10, retrySchedule: null, payloadFormat: 'envelope', signing: 'hmac', enabled: true };

  it('creates what is missing, in order: event types first', () => {
    const file = parseConfigFile('endpoints:\n  - url: https://crm.example/hooks\n    tenant: acme\neventTypes:\n  - name: chat.started\napiKeys:\n  - name: ops\n    admin: true');
    const changes = planChanges(file, empty(), { prune: false });
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.label}`)).toEqual(['create eventType chat.started', 'create endpoint https://crm.example/hooks (tenant acme)', 'create apiKey ops']);
    expect(changes[1]!.body).toEqual({ url: 'https://crm.example/hooks', tenant: 'acme' });
    expect(changes[2]!.body).toEqual({ name: 'ops' });
  });

  it('finds nothing to do when the declared fields match, secrets and set order notwithstanding', () => {
    const file = parseConfigFile(
      [
        'endpoints:',
        '  - url: https://crm.example/hooks',
        '    tenant: acme',
        '    eventTypes: [chat.started, chat.ended]',
        '    auth: { type: basic, username: u, password: s3cret }',
        '    headers: { X-Team: ops, X-Api-Token: abc }',
        '    timeoutMs: 10000',
        '    secret: whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
      ].join('\n'),
    );
    expect(planChanges(file, { ...empty(), endpoints: [endpoint] }, { prune: false })).toEqual([]);
  });

  it('updates only the fields that differ, never showing secrets', () => {
    const file = parseConfigFile('endpoints:\n  - url: https://crm.example/hooks\n    tenant: acme\n    timeoutMs: 20000\n    auth: { type: basic, username: admin, password: s3cret }');
    const [change] = planChanges(file, { ...empty(), endpoints: [endpoint] }, { prune: false });
    expect(change).toMatchObject({ action: 'update', id: 'ep_1', body: { timeoutMs: 20000, auth: { type: 'basic', username: 'admin', password: 's3cret' } } });
    const text = formatPlan([change!]).join('\n');
    expect(text).toContain('timeoutMs: 10000 -> 20000');
    expect(text).not.toContain('s3cret');
    expect(text).toContain('Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.');
  });

  it('identifies endpoints by tenant and URL: another tenant is another endpoint', () => {
    const file = parseConfigFile('endpoints:\n  - url: https://crm.example/hooks\n    tenant: globex');
    expect(planChanges(file, { ...empty(), endpoints: [endpoint] }, { prune: false }).map((c) => c.action)).toEqual(['create']);
    expect(planChanges(file, { ...empty(), endpoints: [endpoint] }, { prune: true }).map((c) => `${c.action} ${c.id}`)).toEqual(['create null', 'delete ep_1']);
  });

  it('prunes only the sections the file has, named keys only, never the key in use', () => {
    const current: CurrentState = {
      ...empty(),
      eventTypes: [{ name: 'old.type', description: null, schema: null, example: null }],
      endpoints: [endpoint],
      apiKeys: [
        { id: 'key_1', name: 'me', tenant: null, role: 'admin', prefix: 'hk_me12345' },
        { id: 'key_2', name: 'old', tenant: null, role: 'admin', prefix: 'hk_old1234' },
        { id: 'key_3', name: null, tenant: null, role: 'admin', prefix: 'hk_anon123' },
        { id: 'key_4', name: 'gone', tenant: null, role: 'admin', prefix: 'hk_gone123', revokedAt: '2026-01-01T00:00:00Z' },
      ],
    };
    const file = parseConfigFile('eventTypes: []\napiKeys: []');
    const changes = planChanges(file, current, { prune: true, ownKeyPrefix: 'hk_me12345' });
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['delete apiKey key_2', 'delete eventType old.type']);
    expect(planChanges(file, current, { prune: false })).toEqual([]);
  });

  it('replaces a key whose tenant changed', () => {
    const file = parseConfigFile('apiKeys:\n  - name: acme-ci\n    tenant: acme');
    const [change] = planChanges(file, { ...empty(), apiKeys: [{ id: 'key_9', name: 'acme-ci', tenant: 'globex', role: 'tenant' }] }, { prune: false });
    expect(change).toMatchObject({ action: 'replace', id: 'key_9', body: { name: 'acme-ci', tenant: 'acme' }, fields: [{ field: 'scope', from: 'tenant globex', to: 'tenant acme' }] });
  });

  it('event types: a changed schema updates, keeping members the file leaves out', () => {
    const current: CurrentState = { ...empty(), eventTypes: [{ name: 'chat.started', description: 'kept', schema: { type: 'object' }, example: { a: 1 } }] };
    expect(planChanges(parseConfigFile('eventTypes:\n  - name: chat.started\n    schema: { type: object }'), current, { prune: false })).toEqual([]);
    const [change] = planChanges(parseConfigFile('eventTypes:\n  - name: chat.started\n    schema: { type: object, required: [a] }'), current, { prune: false });
    expect(change!.body).toEqual({ description: 'kept', schema: { type: 'object', required: ['a'] }, example: { a: 1 } });
  });

  it('sources: server defaults and generated secrets are not differences', () => {
    const current: CurrentState = { ...empty(), sources: [{ id: 'src_1', name: 'telephony', tenant: null, verify: { scheme: 'stripe', secret: '[redacted]', toleranceSeconds: 300 }, allowIps: null, eventType: null, maxBodyBytes: null }] };
    expect(planChanges(parseConfigFile('sources:\n  - name: telephony\n    verify: { scheme: stripe, secret: abc }'), current, { prune: false })).toEqual([]);
    const [change] = planChanges(parseConfigFile('sources:\n  - name: telephony\n    verify: { scheme: github, secret: abc }'), current, { prune: false });
    expect(change).toMatchObject({ action: 'update', body: { verify: { scheme: 'github', secret: 'abc' } } });
    expect(summarize([change!])).toEqual({ create: 0, update: 1, replace: 0, delete: 0 });
  });

  it('sameJson ignores key order only', () => {
    expect(sameJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});

describe('export', () => {
  it('writes secrets as environment references and reads back as a no-op plan', () => {
    const current: CurrentState = {
      eventTypes: [{ name: 'chat.started', description: 'A chat began', schema: { type: 'object' }, example: null }],
      endpoints: [{ id: 'ep_1', url: 'https://crm.example/hooks', tenant: 'acme', description: null, eventTypes: null, auth: { type: 'bearer', token: '[redacted]' }, headers: { 'x-api-token': '[redacted]' }, timeoutMs: 10000, enabled: true }],
      sources: [{ id: 'src_1', name: 'telephony', tenant: null, verify: { scheme: 'hmac', header: 'x-sig', secret: '[redacted]' }, allowIps: null, eventType: 'call.ended', maxBodyBytes: null }],
      apiKeys: [{ id: 'key_1', name: 'ops', tenant: null, role: 'admin' }, { id: 'key_2', name: null, tenant: null, role: 'admin' }],
    };
    const { text, variables } = exportConfig(current, { includeApiKeys: true });
    expect(text).not.toContain('[redacted]');
    expect(variables.map((v) => v.name)).toEqual(['ENDPOINT_ACME_CRM_EXAMPLE_HOOKS_SECRET', 'ENDPOINT_ACME_CRM_EXAMPLE_HOOKS_AUTH_TOKEN', 'ENDPOINT_ACME_CRM_EXAMPLE_HOOKS_HEADER_X_API_TOKEN', 'SOURCE_TELEPHONY_SECRET']);
    const env = Object.fromEntries(variables.map((v) => [v.name, v.name.endsWith('HOOKS_SECRET') ? 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' : 'x']));
    const file = parseConfigFile(text, env);
    expect(file.apiKeys).toEqual([{ name: 'ops', tenant: null }]);
    expect(planChanges(file, current, { prune: true })).toEqual([]);
  });
});

describe('docs/operations.md', () => {
  it('the contact-centre example is a valid file that plans 7 creations', () => {
    const markdown = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    const block = /```yaml\n(# hookd\.yaml[\s\S]*?)```/.exec(markdown)?.[1];
    expect(block).toBeDefined();
    const env = { ACME_CRM_SIGNING_SECRET: 'whsec_Y3JtLXNpZ25pbmctc2VjcmV0LTAxMjM0NTY3ODlhYmM=', ACME_CRM_TOKEN: 't', TELEPHONY_WEBHOOK_SECRET: 's' };
    const changes = planChanges(parseConfigFile(block!, env), empty(), { prune: true });
    expect(summarize(changes)).toEqual({ create: 7, update: 0, replace: 0, delete: 0 });
  });
});
