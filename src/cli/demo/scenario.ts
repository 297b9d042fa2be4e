// What the simulated contact centre does during the demo: two chats and two calls, as the events a
// real platform would publish, each with a one-line caption for the narration. Pure: ids and times
// come from the arguments.

export interface ScenarioEvent {
  type: string;
  data: Record<string, unknown>;
  caption: string;
}

export function buildScenario(suffix: string, start: number): ScenarioEvent[] {
  let t = start;
  const at = (seconds: number): string => {
    t += seconds * 1000;
    return new Date(t).toISOString();
  };
  const alice = { id: `cus_1042${suffix}`, name: 'Alice Martin', email: 'alice@example.com', tier: 'gold' };
  const bob = { id: `cus_2077${suffix}`, name: 'Bob Nguyen', email: 'bob@example.com', tier: 'standard' };
  const sam = { id: 'agt_31', name: 'Sam Okafor', team: 'Tier 1' };
  const priya = { id: 'agt_44', name: 'Priya Shah', team: 'Billing' };
  const leo = { id: 'agt_17', name: 'Leo Rossi', team: 'Voice' };
  const chatA = `conv_A${suffix}`;
  const chatB = `conv_B${suffix}`;
  const callC = `call_C${suffix}`;
  const callD = `call_D${suffix}`;
  return [
    { type: 'demo.user.authenticated', data: { customerId: alice.id, method: 'sso', channel: 'web_chat', ipCountry: 'FR', authenticatedAt: at(0) }, caption: 'Alice Martin signs in to the help centre' },
    { type: 'demo.chat.started', data: { conversationId: chatA, channel: 'web_chat', customer: alice, queue: 'general', topic: 'Charged twice for May', startedAt: at(20) }, caption: 'Alice opens a web chat: "Charged twice for May"' },
    { type: 'demo.agent.assigned', data: { interactionId: chatA, agent: sam, queue: 'general', waitSeconds: 38, assignedAt: at(38) }, caption: 'Sam Okafor picks up Alice\'s chat' },
    { type: 'demo.chat.started', data: { conversationId: chatB, channel: 'whatsapp', customer: bob, queue: 'support', topic: 'Router keeps dropping', startedAt: at(5) }, caption: 'Bob Nguyen starts a WhatsApp chat: "Router keeps dropping"' },
    { type: 'demo.interaction.transferred', data: { interactionId: chatA, fromQueue: 'general', toQueue: 'billing', reason: 'Refund needs a billing specialist', transferredAt: at(90) }, caption: 'Sam transfers Alice to the billing queue' },
    { type: 'demo.agent.assigned', data: { interactionId: chatA, agent: priya, queue: 'billing', waitSeconds: 12, assignedAt: at(12) }, caption: 'Priya Shah (billing) takes over Alice\'s chat' },
    { type: 'demo.agent.assigned', data: { interactionId: chatB, agent: sam, queue: 'support', waitSeconds: 240, assignedAt: at(30) }, caption: 'Sam picks up Bob\'s chat after a 4-minute wait' },
    { type: 'demo.escalation.triggered', data: { interactionId: chatB, rule: 'negative_sentiment', severity: 'high', detail: 'Customer sentiment dropped below -0.6 twice', triggeredAt: at(60) }, caption: 'Bob is getting angry: the sentiment rule escalates to a supervisor' },
    { type: 'demo.payment.completed', data: { paymentId: `pay_R${suffix}`, customerId: alice.id, interactionId: chatA, amount: 49.9, currency: 'EUR', method: 'card', completedAt: at(45) }, caption: 'Priya refunds-and-recharges Alice correctly: EUR 49.90' },
    { type: 'demo.chat.ended', data: { conversationId: chatA, endedAt: at(30), resolution: 'resolved', durationSeconds: 470, csat: 5 }, caption: 'Alice\'s chat ends, resolved (CSAT 5/5)' },
    { type: 'demo.agent.assigned', data: { interactionId: callC, agent: leo, queue: 'voice', waitSeconds: 25, assignedAt: at(10) }, caption: 'Leo Rossi answers an inbound call' },
    { type: 'demo.chat.ended', data: { conversationId: chatB, endedAt: at(120), resolution: 'escalated', durationSeconds: 515, csat: 2 }, caption: 'Bob\'s chat ends, escalated to second line (CSAT 2/5)' },
    { type: 'demo.call.ended', data: { callId: callC, direction: 'inbound', queue: 'voice', agentId: leo.id, talkSeconds: 312, holdSeconds: 45, outcome: 'resolved', endedAt: at(357) }, caption: 'Leo\'s call ends after 5 min 12 s of talk' },
    { type: 'demo.call.ended', data: { callId: callD, direction: 'outbound', queue: 'retention', agentId: priya.id, talkSeconds: 188, holdSeconds: 0, outcome: 'callback', endedAt: at(200) }, caption: 'Priya\'s outbound retention call ends: callback booked' },
  ];
}
