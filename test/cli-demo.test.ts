// `hookd demo` runs to its end against a real server: CRM tickets created, reports updated, the
// supervisor's 401s diagnosed, fixed and recovered. Asserted from the --json summary and from the
// server's own delivery records.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

describe('hookd demo', () => {
  it('shows the whole loop and ends with the expected outcome', async () => {
    const res = await runCli(['demo', '--json'], server.env, { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.crm.ticketsCreated).toBe(2);
    expect(summary.crm.tickets.map((t: { customer: string }) => t.customer).sort()).toEqual(['Alice Martin', 'Bob Nguyen']);
    expect(summary.crm.tickets.every((t: { status: string; history: string[] }) => t.status === 'closed' && t.history.length >= 3)).toBe(true);
    expect(summary.reporting.callsReported).toBe(2);
    expect(summary.supervisor).toMatchObject({ failedBeforeFix: 5, diagnosis: 'http_unauthorized', recovered: 5, notificationsDelivered: 5, notificationsExpected: 5 });
    expect(summary.supervisor.unauthorizedAttempts).toBeGreaterThanOrEqual(15);
    // The payments partner is a hookd mock that is down for its first request: served on the retry.
    expect(summary.partner).toEqual({ requests: 2, deliveriesSucceeded: 1, deliveries: 1 });
    const partner = await server.harness.request('GET', `/v1/deliveries?endpoint=${summary.endpoints.partner}&limit=1`);
    const paid = await server.harness.request('GET', `/v1/deliveries/${partner.body.data[0].id}`);
    expect(paid.body.attempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([503, 200]);
    expect(summary.durationMs).toBeLessThan(60_000);

    // The narration went to stderr, in plain steps.
    expect(res.stderr).toContain('WRONG bearer token');
    expect(res.stderr).toContain('diagnosis: http_unauthorized');
    expect(res.stderr).toMatch(/Summary/);

    // The server's records agree: every CRM delivery succeeded; the supervisor's ended succeeded
    // after 401 attempts.
    const crm = await server.harness.request('GET', `/v1/deliveries?endpoint=${summary.endpoints.crm}&limit=250`);
    // user.authenticated, 2 x chat.started, interaction.transferred, escalation.triggered, payment.completed, 2 x chat.ended
    expect(crm.body.data.length).toBe(8);
    expect(crm.body.data.every((d: { status: string }) => d.status === 'succeeded')).toBe(true);
    const sup = await server.harness.request('GET', `/v1/deliveries?endpoint=${summary.endpoints.supervisor}&limit=250`);
    expect(sup.body.data.every((d: { status: string; attempts: number }) => d.status === 'succeeded' && d.attempts === 4)).toBe(true);
    const one = await server.harness.request('GET', `/v1/deliveries/${sup.body.data[0].id}`);
    expect(one.body.attempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([401, 401, 401, 204]);
    // Endpoints are left disabled (their apps stopped with the demo), under the demo's own tenant.
    const ep = await server.harness.request('GET', `/v1/endpoints/${summary.endpoints.crm}`);
    expect(ep.body).toMatchObject({ enabled: false, tenant: summary.tenant });
    // The closing hints do not send the user to the doctor of an endpoint the demo just disabled.
    const closing = res.stderr.slice(res.stderr.indexOf('Explore:'));
    expect(closing).toContain('hookd deliveries list --endpoint');
    expect(closing).not.toMatch(/hookd doctor ep_/);
    expect(res.stderr).toContain('hookd demo --keep');
  });

  it("keeps to its own namespace: the README's, docs/cli.md's and `hookd send`'s examples still work after it", async () => {
    expect((await runCli(['demo', '--json'], server.env, { timeoutMs: 60_000 })).code).toBe(0);
    expect((await server.harness.request('GET', '/v1/event-types/demo.chat.started')).status).toBe(200);
    expect((await server.harness.request('GET', '/v1/event-types/chat.started')).status).toBe(404);

    // README: "Send your first webhook", step 2, as written there.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const readmeBody = /curl -s -X POST localhost:8080\/v1\/events [^\n]*\n\s*-d '([^']+)'/.exec(readme)?.[1];
    expect(readmeBody).toBeDefined();
    const published = await server.harness.request('POST', '/v1/events', { body: JSON.parse(readmeBody!) });
    expect(published.status, JSON.stringify(published.body)).toBe(202);

    // docs/cli.md's send examples with inline data, and the usage example `hookd send` prints.
    const docs = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    const examples = [...docs.matchAll(/^hookd send (\S+) --data '([^']+)'$/gm)].map((m) => [m[1]!, m[2]!]);
    expect(examples.length).toBeGreaterThan(0);
    const usage = await runCli(['send'], server.env);
    expect(usage.code).toBe(2);
    const hint = /hookd send (\S+) --data '([^']+)'/.exec(usage.stderr);
    expect(hint).not.toBeNull();
    for (const [type, data] of [...examples, [hint![1]!, hint![2]!]]) {
      const sent = await runCli(['send', type!, '--data', data!], server.env);
      expect(sent.code, `hookd send ${type} --data '${data}': ${sent.stderr}`).toBe(0);
    }
  });

  it('explains how to allow loopback and exits 2 when the server refuses it', async () => {
    const strict = await startServer({ allowPrivate: [] });
    try {
      const res = await runCli(['demo'], strict.env, { timeoutMs: 30_000 });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('HOOKD_ALLOW_PRIVATE=127.0.0.1/32 npm start');
    } finally {
      await strict.close();
    }
  });
});
