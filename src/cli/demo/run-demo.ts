// `hookd demo`: a newcomer's tour of the whole loop against a running server.
//
//   catalogue -> three receiving apps -> endpoints (one with a WRONG bearer token) -> a simulated
//   contact centre publishes -> CRM tickets and reports arrive, the supervisor app answers 401 and
//   hookd retries -> doctor diagnoses http_unauthorized -> fix the token -> recover the backlog.
//
// Bounded: the demo endpoints retry on a [0, 1, 2] s schedule, and every wait has a deadline, so it
// ends within about a minute even when something goes wrong. Everything runs under a fresh tenant
// (demo-<random>), so the user's own endpoints never see the demo's events.

import { randomBytes } from 'node:crypto';
import type { DeliveryView, DoctorReportView, EndpointView, Page, PublishView, AttemptView } from '../api-types.js';
import type { Ctx } from '../command-kit.js';
import { ApiError, CliError } from '../errors.js';
import { DEMO_EVENT_TYPES } from './catalogue.js';
import { createNarrator, type Narrator } from './narrator.js';
import { startDemoApps, type DemoApps } from './receivers.js';
import { DEFAULT_MOCK } from '../../core/mock-behaviour.js';
import { startMockServer, type MockServer } from '../mock-server.js';
import { buildScenario } from './scenario.js';

export interface DemoOptions {
  keep: boolean;
  /** Deadline of each wait, ms. */
  waitMs?: number;
}

export interface DemoSummary {
  ok: boolean;
  tenant: string;
  server: string;
  dashboardUrl: string | null;
  eventsPublished: number;
  endpoints: { crm: string; reporting: string; supervisor: string; partner: string };
  crm: { ticketsCreated: number; historyEntries: number; tickets: Array<{ number: string; customer: string | null; status: string; history: string[] }> };
  reporting: { callsReported: number; talkSeconds: number; byQueue: Record<string, number> };
  supervisor: { failedBeforeFix: number; unauthorizedAttempts: number; diagnosis: string | null; recovered: number; notificationsDelivered: number; notificationsExpected: number };
  /** The payments partner (a `hookd mock` that is down for its first request): served on a retry. */
  partner: { requests: number; deliveriesSucceeded: number; deliveries: number };
  durationMs: number;
}

const RETRY_SCHEDULE = [0, 1, 2];
const CRM_TYPES = ['demo.user.authenticated', 'demo.chat.started', 'demo.chat.ended', 'demo.interaction.transferred', 'demo.escalation.triggered', 'demo.payment.completed'];
const REPORTING_TYPES = ['demo.call.ended'];
const SUPERVISOR_TYPES = ['demo.agent.assigned', 'demo.escalation.triggered'];
const PARTNER_TYPES = ['demo.payment.completed'];

export async function runDemo(ctx: Ctx, options: DemoOptions): Promise<DemoSummary> {
  const { client, out } = ctx;
  const say = createNarrator(out);
  const started = Date.now();
  const waitMs = options.waitMs ?? 30_000;
  const run = randomBytes(3).toString('hex');
  const tenant = `demo-${run}`;
  const goodToken = `sup_${randomBytes(12).toString('hex')}`;
  const wrongToken = `sup_${randomBytes(12).toString('hex')}`;

  say.step(`Connecting to hookd at ${client.baseUrl}`);
  await client.get('/v1/endpoints', { limit: 1 });
  say.ok('the server answers and the API key works');

  say.step('Registering the contact-centre event types in the catalogue');
  for (const t of DEMO_EVENT_TYPES) {
    const existing = await client.raw('GET', `/v1/event-types/${t.name}`);
    if (existing.ok) {
      say.say(`${t.name.padEnd(29)} already in the catalogue (kept as it is)`);
      continue;
    }
    await client.put(`/v1/event-types/${t.name}`, { description: t.description, schema: t.schema, example: t.example });
    say.say(`${t.name.padEnd(29)} ${t.description}`);
  }
  say.say(out.c.dim('each has a JSON Schema: hookd refuses events whose data does not match (422)'));

  say.step('Starting three apps on this machine that receive webhooks');
  const apps = await startDemoApps(goodToken, (app, text) => say.app(app, text));
  // The payments partner is `hookd mock`: down (503, Retry-After: 1) for its first request, then fine.
  let partner: MockServer | null = null;
  try {
    partner = await startMockServer({ ...DEFAULT_MOCK, failFirst: 1, failStatus: 503, retryAfter: 1 }, { onRequest: (r) => say.app('partner', `${r.method} ${r.path} -> ${r.status}`) });
    say.say(`CRM               ${apps.crm.url}   opens a ticket when a chat starts`);
    say.say(`Reporting         ${apps.reporting.url}   updates queue reports when a call ends`);
    say.say(`Supervisor app    ${apps.supervisor.url}   alerts supervisors; requires a bearer token`);
    say.say(`Payments partner  ${partner.url}   a \`hookd mock\`: down for its first request (503, Retry-After: 1)`);
    say.say(out.c.dim('each app checks the hookd signature (webhook-signature) with hookd/receiver before trusting a request'));

    say.step(`Subscribing the apps: one endpoint each (tenant ${tenant})`);
    const create = async (url: string, eventTypes: string[], description: string, auth?: Record<string, string>): Promise<EndpointView> => {
      try {
        return (await client.post<EndpointView>('/v1/endpoints', { url, eventTypes, tenant, description, retrySchedule: RETRY_SCHEDULE, ...(auth ? { auth } : {}) })).body;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'blocked_address') {
          throw new CliError(
            `the server refuses to deliver to 127.0.0.1 (blocked_address): by default hookd only delivers to public addresses (SSRF protection). ` +
              `The demo's apps run on this machine, so restart the server with loopback allowed, e.g. \`HOOKD_ALLOW_PRIVATE=127.0.0.1/32 npm start\`, then run \`hookd demo\` again.`,
            2,
          );
        }
        throw err;
      }
    };
    const crmEp = await create(apps.crm.url, CRM_TYPES, 'hookd demo: CRM');
    apps.crm.useSecret(crmEp.secret!);
    const repEp = await create(apps.reporting.url, REPORTING_TYPES, 'hookd demo: reporting');
    apps.reporting.useSecret(repEp.secret!);
    const supEp = await create(apps.supervisor.url, SUPERVISOR_TYPES, 'hookd demo: supervisor notifier', { type: 'bearer', token: wrongToken });
    apps.supervisor.useSecret(supEp.secret!);
    const partnerEp = await create(partner.url, PARTNER_TYPES, 'hookd demo: payments partner (hookd mock)');
    const endpointIds = { crm: crmEp.id, reporting: repEp.id, supervisor: supEp.id, partner: partnerEp.id };
    say.say(`${crmEp.id}  CRM         ${CRM_TYPES.join(', ')}`);
    say.say(`${repEp.id}  Reporting   ${REPORTING_TYPES.join(', ')}`);
    say.say(`${supEp.id}  Supervisor  ${SUPERVISOR_TYPES.join(', ')}`);
    say.say(`${partnerEp.id}  Partner     ${PARTNER_TYPES.join(', ')}`);
    say.say(out.c.yellow(`on purpose, the supervisor endpoint was given the WRONG bearer token: watch what happens`));
    say.say(out.c.dim(`retries for these demo endpoints: after ${RETRY_SCHEDULE.join(', ')} s (the default schedule spans three days)`));

    say.step('The contact centre goes live: publishing events');
    const scenario = buildScenario(run, Date.now());
    const since = new Date(Date.now() - 1000).toISOString();
    for (const [i, e] of scenario.entries()) {
      const res = (await client.post<PublishView>('/v1/events', { type: e.type, data: e.data, tenant, idempotencyKey: `${tenant}-${i}` })).body;
      say.say(`${out.c.cyan('->')} ${e.type.padEnd(29)} ${res.id}  ${e.caption}`);
      // A short pause keeps the story readable; hookd itself does not promise order.
      await sleep(120);
    }
    const expectedSupervisor = scenario.filter((e) => SUPERVISOR_TYPES.includes(e.type)).length;

    say.step('hookd delivers: the CRM and reporting apps are served, the supervisor app refuses');
    await settle(ctx, [crmEp.id, repEp.id, supEp.id, partnerEp.id], waitMs);
    const partnerDeliveries = await deliveriesOf(ctx, partnerEp.id);
    const partnerStats = { requests: partner.requests(), deliveriesSucceeded: partnerDeliveries.filter((d) => d.status === 'succeeded').length, deliveries: partnerDeliveries.length };
    say.say(`payments partner: ${partnerStats.deliveriesSucceeded} of ${partnerStats.deliveries} delivered after ${partnerStats.requests} requests (the first got 503; hookd waited as Retry-After said and retried)`);
    const supDeliveries = await deliveriesOf(ctx, supEp.id);
    const failedBeforeFix = supDeliveries.filter((d) => d.status === 'failed').length;
    const sample = supDeliveries[0] ? (await client.get<DeliveryView & { attempts: AttemptView[] }>(`/v1/deliveries/${supDeliveries[0].id}`)).body : null;
    if (sample) {
      say.say(`attempt log of ${sample.id} (${sample.eventType} -> supervisor app):`);
      for (const [n, a] of sample.attempts.entries()) say.say(`  attempt ${n + 1}  ${a.createdAt.slice(11, 23)}  HTTP ${a.responseStatus ?? '---'}  ${a.code}  ${a.durationMs} ms`);
    }
    const unauthorized = await countUnauthorized(ctx, supDeliveries);
    say.bad(`${failedBeforeFix} of ${expectedSupervisor} supervisor notifications failed after ${RETRY_SCHEDULE.length} attempts each (${unauthorized} answers were 401)`);
    say.say(out.c.dim('nothing is lost: failed deliveries stay in hookd with every attempt, ready to be recovered'));

    say.step(`Asking the doctor why the supervisor app refuses (hookd doctor ${supEp.id})`);
    let diagnosis: string | null = null;
    try {
      const report = (await client.post<DoctorReportView>(`/v1/endpoints/${supEp.id}/diagnose`)).body;
      for (const check of report.checks.filter((c) => c.status !== 'skip')) say.say(`${check.status.padEnd(4)}  ${check.step.padEnd(8)} ${check.message}`);
      diagnosis = report.diagnosis.code;
      say.bad(`diagnosis: ${report.diagnosis.code}: ${report.diagnosis.summary}`);
      say.say(`fix: ${report.diagnosis.fix}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'route_not_found')) throw err;
      diagnosis = sample?.attempts.at(-1)?.code ?? null;
      say.say(`this server has no doctor routes yet; the attempt log already says it: ${diagnosis ?? 'unknown'} (HTTP 401, credentials missing or wrong)`);
    }

    say.step('Fixing it: giving the endpoint the right token');
    await client.patch(`/v1/endpoints/${supEp.id}`, { auth: { type: 'bearer', token: goodToken } });
    say.ok(`PATCH /v1/endpoints/${supEp.id} { auth: { type: "bearer", token: "sup_…" } }`);

    say.step(`Recovering the backlog (hookd recover ${supEp.id} --since <demo start>)`);
    const recovered = (await client.post<{ recovered: number }>(`/v1/endpoints/${supEp.id}/recover`, { since })).body.recovered;
    say.say(`${recovered} failed deliveries re-queued; the same webhook-id is kept, so receivers can deduplicate`);
    await waitFor(() => apps.notifications.length >= expectedSupervisor, waitMs);
    await settle(ctx, [supEp.id], waitMs);
    const delivered = apps.notifications.length;
    if (delivered >= expectedSupervisor) say.ok(`all ${delivered} supervisor notifications delivered after the fix`);
    else say.bad(`only ${delivered} of ${expectedSupervisor} supervisor notifications arrived in time`);

    const dashboardUrl = await dashboard(ctx);
    const summary = summarize(apps, { tenant, server: client.baseUrl, dashboardUrl, eventsPublished: scenario.length, endpoints: endpointIds, failedBeforeFix, unauthorized, diagnosis, recovered, delivered, expectedSupervisor, started, partner: partnerStats });
    printSummary(say, summary, ctx, options.keep);

    if (!options.keep) {
      // The apps stop with the demo; disabled endpoints keep their history visible in the dashboard.
      for (const id of Object.values(endpointIds)) await client.patch(`/v1/endpoints/${id}`, { enabled: false }).catch(() => undefined);
    }
    if (out.json) out.document(summary);
    if (!summary.ok) throw new CliError('the demo did not reach its expected outcome (see above)', 1);
    return summary;
  } finally {
    await partner?.close();
    await apps.close();
  }
}

function summarize(
  apps: DemoApps,
  s: { tenant: string; server: string; dashboardUrl: string | null; eventsPublished: number; endpoints: DemoSummary['endpoints']; failedBeforeFix: number; unauthorized: number; diagnosis: string | null; recovered: number; delivered: number; expectedSupervisor: number; started: number; partner: DemoSummary['partner'] },
): DemoSummary {
  const tickets = [...apps.tickets.values()];
  const historyEntries = tickets.reduce((n, t) => n + Math.max(0, t.history.length - 1), 0);
  const ok = tickets.length > 0 && apps.reports.callsReported > 0 && s.delivered >= s.expectedSupervisor && s.failedBeforeFix > 0;
  return {
    ok,
    tenant: s.tenant,
    server: s.server,
    dashboardUrl: s.dashboardUrl,
    eventsPublished: s.eventsPublished,
    endpoints: s.endpoints,
    crm: { ticketsCreated: tickets.length, historyEntries, tickets: tickets.map((t) => ({ number: t.number, customer: t.customer, status: t.status, history: t.history })) },
    reporting: { ...apps.reports, byQueue: { ...apps.reports.byQueue } },
    supervisor: { failedBeforeFix: s.failedBeforeFix, unauthorizedAttempts: s.unauthorized, diagnosis: s.diagnosis, recovered: s.recovered, notificationsDelivered: s.delivered, notificationsExpected: s.expectedSupervisor },
    partner: s.partner,
    durationMs: Date.now() - s.started,
  };
}

const out = (ctx: Ctx) => (ctx.out.json ? ctx.out.ec : ctx.out.c);

function printSummary(say: Narrator, s: DemoSummary, ctx: Ctx, keep: boolean): void {
  const c = ctx.out.json ? ctx.out.ec : ctx.out.c;
  say.step('Summary');
  say.say(`CRM          ${s.crm.ticketsCreated} tickets created, ${s.crm.historyEntries} history entries appended`);
  for (const t of s.crm.tickets) say.say(`             ${t.number} ${t.customer ?? '?'} (${t.status}): ${t.history.join(' | ')}`);
  say.say(`Reporting    ${s.reporting.callsReported} calls reported (${s.reporting.talkSeconds} s of talk)`);
  say.say(`Supervisor   ${s.supervisor.failedBeforeFix} notifications failed with 401, diagnosed as ${s.supervisor.diagnosis ?? '?'}, ${s.supervisor.notificationsDelivered} delivered after the fix`);
  say.say(`Partner      ${s.partner.deliveriesSucceeded} of ${s.partner.deliveries} payments delivered by retrying a receiver that was down (hookd mock)`);
  say.blank();
  say.say(s.dashboardUrl ? `Dashboard: ${c.bold(s.dashboardUrl)}  (the demo endpoints belong to tenant ${s.tenant})` : `API docs: ${s.server}/docs`);
  say.say(`Explore:   hookd deliveries list --endpoint ${s.endpoints.supervisor}    hookd tail`);
  // The demo's apps stop with it, so a doctor run on a demo endpoint would only diagnose that
  // shutdown: point the user at their own endpoint instead.
  say.say(`           hookd doctor <your endpoint URL or ep_...>   the same diagnosis for your own receiver`);
  say.say(
    keep
      ? `           the demo endpoints stay enabled (--keep); their apps stopped with the demo`
      : `           the demo endpoints are now disabled (their apps stopped); \`hookd demo --keep\` leaves them enabled`,
  );
  say.say(out(ctx).dim(`The demo's event types live in their own namespace (demo.*), so your own chat.started etc. are untouched.`));
  say.say(`Finished in ${(s.durationMs / 1000).toFixed(1)} s.`);
}

async function dashboard(ctx: Ctx): Promise<string | null> {
  try {
    const res = await fetch(`${ctx.client.baseUrl}/`, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.ok && (res.headers.get('content-type') ?? '').includes('html') ? `${ctx.client.baseUrl}/` : null;
  } catch {
    return null;
  }
}

async function deliveriesOf(ctx: Ctx, endpointId: string): Promise<DeliveryView[]> {
  return (await ctx.client.get<Page<DeliveryView>>('/v1/deliveries', { endpoint: endpointId, limit: 250 })).body.data;
}

/** Until no delivery of these endpoints is pending or sending (bounded). */
async function settle(ctx: Ctx, endpointIds: string[], waitMs: number): Promise<void> {
  await waitFor(async () => {
    for (const id of endpointIds) {
      const list = await deliveriesOf(ctx, id);
      if (list.length === 0 || list.some((d) => d.status === 'pending' || d.status === 'sending')) return false;
    }
    return true;
  }, waitMs);
}

async function countUnauthorized(ctx: Ctx, deliveries: DeliveryView[]): Promise<number> {
  let n = 0;
  for (const d of deliveries) {
    const full = (await ctx.client.get<{ attempts: AttemptView[] }>(`/v1/deliveries/${d.id}`)).body;
    n += full.attempts.filter((a) => a.responseStatus === 401).length;
  }
  return n;
}

async function waitFor(condition: () => boolean | Promise<boolean>, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(150);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
