// The demo's event catalogue: eight contact-centre and platform event types, each with a JSON Schema
// (2020-12) and an example that matches it. `hookd demo` registers the ones the server lacks. They
// live in the demo's own namespace (`demo.chat.started`, ...): strict schemas under the plain names
// would make the README's and docs' own examples (`chat.started` with other fields) fail with 422.

export interface DemoEventType {
  name: string;
  description: string;
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

const id = (prefix: string) => ({ type: 'string', pattern: `^${prefix}_[A-Za-z0-9]+$` });
const time = { type: 'string', format: 'date-time' };
const channel = { type: 'string', enum: ['web_chat', 'whatsapp', 'messenger', 'sms', 'voice', 'email'] };
const customer = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: id('cus'), name: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' }, tier: { type: 'string', enum: ['standard', 'gold', 'platinum'] } },
};
const agent = { type: 'object', required: ['id', 'name'], properties: { id: id('agt'), name: { type: 'string', minLength: 1 }, team: { type: 'string' } } };

function objectSchema(required: string[], properties: Record<string, unknown>): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', required, properties };
}

export const DEMO_EVENT_TYPES: DemoEventType[] = [
  {
    name: 'demo.chat.started',
    description: 'A customer opened a conversation on a messaging channel.',
    schema: objectSchema(['conversationId', 'channel', 'customer', 'startedAt'], { conversationId: id('conv'), channel, customer, queue: { type: 'string' }, topic: { type: 'string' }, startedAt: time }),
    example: { conversationId: 'conv_7Hq2', channel: 'web_chat', customer: { id: 'cus_1042', name: 'Alice Martin', email: 'alice@example.com', tier: 'gold' }, queue: 'billing', topic: 'Double charge on invoice', startedAt: '2026-05-20T15:30:00.000Z' },
  },
  {
    name: 'demo.chat.ended',
    description: 'A conversation was closed, with its outcome.',
    schema: objectSchema(['conversationId', 'endedAt', 'resolution'], {
      conversationId: id('conv'),
      endedAt: time,
      resolution: { type: 'string', enum: ['resolved', 'unresolved', 'abandoned', 'escalated'] },
      durationSeconds: { type: 'integer', minimum: 0 },
      csat: { type: ['integer', 'null'], minimum: 1, maximum: 5 },
    }),
    example: { conversationId: 'conv_7Hq2', endedAt: '2026-05-20T15:42:10.000Z', resolution: 'resolved', durationSeconds: 730, csat: 5 },
  },
  {
    name: 'demo.agent.assigned',
    description: 'An agent was assigned to a conversation or call.',
    schema: objectSchema(['interactionId', 'agent', 'assignedAt'], { interactionId: { type: 'string', pattern: '^(conv|call)_[A-Za-z0-9]+$' }, agent, queue: { type: 'string' }, waitSeconds: { type: 'integer', minimum: 0 }, assignedAt: time }),
    example: { interactionId: 'conv_7Hq2', agent: { id: 'agt_31', name: 'Sam Okafor', team: 'Tier 1' }, queue: 'billing', waitSeconds: 42, assignedAt: '2026-05-20T15:30:42.000Z' },
  },
  {
    name: 'demo.interaction.transferred',
    description: 'A conversation or call moved to another queue or agent.',
    schema: objectSchema(['interactionId', 'fromQueue', 'toQueue', 'reason', 'transferredAt'], {
      interactionId: { type: 'string', pattern: '^(conv|call)_[A-Za-z0-9]+$' },
      fromQueue: { type: 'string' },
      toQueue: { type: 'string' },
      reason: { type: 'string' },
      transferredAt: time,
    }),
    example: { interactionId: 'conv_7Hq2', fromQueue: 'general', toQueue: 'billing', reason: 'Refund needs a billing specialist', transferredAt: '2026-05-20T15:33:00.000Z' },
  },
  {
    name: 'demo.escalation.triggered',
    description: 'A rule escalated an interaction to a supervisor (sentiment, wait time, VIP).',
    schema: objectSchema(['interactionId', 'rule', 'severity', 'triggeredAt'], {
      interactionId: { type: 'string', pattern: '^(conv|call)_[A-Za-z0-9]+$' },
      rule: { type: 'string' },
      severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
      detail: { type: 'string' },
      triggeredAt: time,
    }),
    example: { interactionId: 'conv_9Lm4', rule: 'negative_sentiment', severity: 'high', detail: 'Customer sentiment dropped below -0.6 twice', triggeredAt: '2026-05-20T15:36:00.000Z' },
  },
  {
    name: 'demo.call.ended',
    description: 'A voice call ended, with its timings for reporting.',
    schema: objectSchema(['callId', 'direction', 'queue', 'talkSeconds', 'holdSeconds', 'endedAt'], {
      callId: id('call'),
      direction: { type: 'string', enum: ['inbound', 'outbound'] },
      queue: { type: 'string' },
      agentId: id('agt'),
      talkSeconds: { type: 'integer', minimum: 0 },
      holdSeconds: { type: 'integer', minimum: 0 },
      outcome: { type: 'string', enum: ['resolved', 'callback', 'voicemail', 'dropped'] },
      endedAt: time,
    }),
    example: { callId: 'call_5Tz8', direction: 'inbound', queue: 'support', agentId: 'agt_17', talkSeconds: 312, holdSeconds: 45, outcome: 'resolved', endedAt: '2026-05-20T15:50:00.000Z' },
  },
  {
    name: 'demo.payment.completed',
    description: 'A payment taken during an interaction succeeded.',
    schema: objectSchema(['paymentId', 'customerId', 'amount', 'currency', 'completedAt'], {
      paymentId: id('pay'),
      customerId: id('cus'),
      interactionId: { type: 'string' },
      amount: { type: 'number', exclusiveMinimum: 0 },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      method: { type: 'string', enum: ['card', 'bank_transfer', 'wallet'] },
      completedAt: time,
    }),
    example: { paymentId: 'pay_3Rk1', customerId: 'cus_1042', interactionId: 'conv_7Hq2', amount: 49.9, currency: 'EUR', method: 'card', completedAt: '2026-05-20T15:40:00.000Z' },
  },
  {
    name: 'demo.user.authenticated',
    description: 'A customer signed in (web, app or IVR), before contacting support.',
    schema: objectSchema(['customerId', 'method', 'authenticatedAt'], {
      customerId: id('cus'),
      method: { type: 'string', enum: ['password', 'sso', 'otp', 'voice_pin'] },
      channel,
      ipCountry: { type: 'string', pattern: '^[A-Z]{2}$' },
      authenticatedAt: time,
    }),
    example: { customerId: 'cus_1042', method: 'sso', channel: 'web_chat', ipCountry: 'FR', authenticatedAt: '2026-05-20T15:29:30.000Z' },
  },
];
