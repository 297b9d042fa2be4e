// The three apps that receive the demo's webhooks, each a real HTTP server on loopback verifying
// hookd's signatures with hookd/receiver (createReceiver + nodeHandler):
//
// - CRM: a ticket per conversation on chat.started; later chat events append to its history. hookd
//   does not promise order, so tickets are keyed by conversation id and created by whichever event
//   comes first (a real CRM must do the same).
// - Reporting: call.ended updates the queue statistics.
// - Supervisor notifier: agent.assigned and escalation.triggered, behind a bearer token. It answers
//   401 to any other token, before reading the body, like an API gateway would.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReceiver, nodeHandler, type VerifiedWebhook } from '../../receiver/index.js';

export interface Ticket {
  number: string;
  conversationId: string;
  customer: string | null;
  channel: string | null;
  topic: string | null;
  status: 'open' | 'closed';
  history: string[];
}

export interface DemoApps {
  crm: DemoApp;
  reporting: DemoApp;
  supervisor: DemoApp;
  /** CRM state: one ticket per conversation. */
  tickets: Map<string, Ticket>;
  /** Reporting state. */
  reports: { callsReported: number; talkSeconds: number; byQueue: Record<string, number> };
  /** Supervisor notifications, in arrival order. */
  notifications: string[];
  close(): Promise<void>;
}

export interface DemoApp {
  name: string;
  url: string;
  /** Set the endpoint's signing secret once hookd created it; requests before that get 503. */
  useSecret(secret: string): void;
}

export type AppLog = (app: string, text: string) => void;

interface AppHandle extends DemoApp {
  server: Server;
}

async function startApp(name: string, path: string, handle: (event: VerifiedWebhook) => void, gate?: (req: IncomingMessage) => boolean): Promise<AppHandle> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (gate && !gate(req)) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="supervisor"' });
      res.end('{"error":"invalid_token","message":"The bearer token is missing or wrong."}');
      return;
    }
    if (handler === null || req.url !== path) {
      req.resume();
      res.writeHead(handler === null ? 503 : 404, { 'content-type': 'application/json' }).end('{"error":"not_ready"}');
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}${path}`,
    server,
    useSecret(secret) {
      const receiver = createReceiver({ secrets: secret });
      handler = nodeHandler(receiver, (event) => handle(event), { onError: () => undefined });
    },
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export async function startDemoApps(supervisorToken: string, log: AppLog): Promise<DemoApps> {
  const tickets = new Map<string, Ticket>();
  const reports = { callsReported: 0, talkSeconds: 0, byQueue: {} as Record<string, number> };
  const notifications: string[] = [];
  let nextTicket = 1001;

  const ticketFor = (conversationId: string): { ticket: Ticket; created: boolean } => {
    const existing = tickets.get(conversationId);
    if (existing) return { ticket: existing, created: false };
    const ticket: Ticket = { number: `T-${nextTicket++}`, conversationId, customer: null, channel: null, topic: null, status: 'open', history: [] };
    tickets.set(conversationId, ticket);
    return { ticket, created: true };
  };

  const crm = await startApp('CRM', '/webhooks/crm', (event) => {
    const d = (event.data ?? {}) as Record<string, unknown>;
    const conversation = str(d.conversationId) ?? str(d.interactionId);
    switch (event.type) {
      case 'demo.chat.started': {
        const { ticket } = ticketFor(conversation ?? event.id);
        const customer = (d.customer ?? {}) as Record<string, unknown>;
        ticket.customer = str(customer.name);
        ticket.channel = str(d.channel);
        ticket.topic = str(d.topic);
        ticket.history.push(`opened on ${ticket.channel ?? 'chat'}: ${ticket.topic ?? ''}`);
        log('CRM', `ticket ${ticket.number} created for ${ticket.customer ?? 'a customer'} ("${ticket.topic ?? ''}")`);
        break;
      }
      case 'demo.interaction.transferred':
      case 'demo.escalation.triggered':
      case 'demo.chat.ended': {
        if (!conversation?.startsWith('conv_')) break;
        const { ticket } = ticketFor(conversation);
        const line =
          event.type === 'demo.chat.ended'
            ? `closed: ${str(d.resolution) ?? '?'} (CSAT ${typeof d.csat === 'number' ? d.csat : '-'})`
            : event.type === 'demo.interaction.transferred'
              ? `transferred ${str(d.fromQueue) ?? '?'} -> ${str(d.toQueue) ?? '?'}`
              : `escalated: ${str(d.rule) ?? '?'} (${str(d.severity) ?? '?'})`;
        if (event.type === 'demo.chat.ended') ticket.status = 'closed';
        ticket.history.push(line);
        log('CRM', `ticket ${ticket.number}: ${line}`);
        break;
      }
      case 'demo.payment.completed':
      case 'demo.user.authenticated': {
        const line = event.type === 'demo.payment.completed' ? `payment of ${String(d.amount)} ${str(d.currency) ?? ''} recorded for ${str(d.customerId) ?? '?'}` : `sign-in by ${str(d.customerId) ?? '?'} (${str(d.method) ?? '?'}) noted on the customer record`;
        log('CRM', line);
        break;
      }
      default:
        break;
    }
  });

  const reporting = await startApp('Reporting', '/webhooks/reporting', (event) => {
    if (event.type !== 'demo.call.ended') return;
    const d = (event.data ?? {}) as Record<string, unknown>;
    const queue = str(d.queue) ?? 'unknown';
    reports.callsReported++;
    reports.talkSeconds += typeof d.talkSeconds === 'number' ? d.talkSeconds : 0;
    reports.byQueue[queue] = (reports.byQueue[queue] ?? 0) + 1;
    log('Reporting', `call ${str(d.callId) ?? '?'} added to the ${queue} queue report (${String(d.talkSeconds)} s talk)`);
  });

  const supervisor = await startApp(
    'Supervisor',
    '/webhooks/supervisor',
    (event) => {
      const d = (event.data ?? {}) as Record<string, unknown>;
      let text: string | null = null;
      if (event.type === 'demo.agent.assigned') text = `${str(((d.agent ?? {}) as Record<string, unknown>).name) ?? 'an agent'} assigned to ${str(d.interactionId) ?? '?'} (waited ${typeof d.waitSeconds === 'number' ? d.waitSeconds : '?'} s)`;
      else if (event.type === 'demo.escalation.triggered') text = `ESCALATION on ${str(d.interactionId) ?? '?'}: ${str(d.rule) ?? '?'} (${str(d.severity) ?? '?'})`;
      if (text === null) return; // the doctor's hookd.ping and anything else: acknowledged, not shown
      notifications.push(text);
      log('Supervisor', `notified: ${text}`);
    },
    (req) => req.headers.authorization === `Bearer ${supervisorToken}`,
  );

  const apps = [crm, reporting, supervisor];
  return {
    crm,
    reporting,
    supervisor,
    tickets,
    reports,
    notifications,
    async close() {
      await Promise.all(
        apps.map(
          (app) =>
            new Promise<void>((resolve) => {
              app.server.close(() => resolve());
              app.server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
